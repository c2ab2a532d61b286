// egg-mock's cached server behind app.httpRequest() (lib/mock_http_server.js ships no types).
declare module 'egg-mock/lib/mock_http_server' {
  import type { Server } from 'node:http';
  const mockHttpServer: (app: unknown) => Server;
  export = mockHttpServer;
}
