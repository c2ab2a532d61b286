import assert from 'node:assert/strict';
import { AddressInfo, connect, Socket } from 'node:net';
import { app } from 'egg-mock/bootstrap';
import { bearer, loginAs } from '../support/client';
// the listening server app.httpRequest() uses (test/.setup.ts); egg answers its 'clientError's with config.onClientError
import mockHttpServer = require('egg-mock/lib/mock_http_server');

interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes raw bytes to the app's listening server and reads the reply until the server closes. */
function rawRequest(bytes: string | Buffer): Promise<RawReply> {
  const { port } = mockHttpServer(app).address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', chunk => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(parse(Buffer.concat(chunks).toString('utf8'))));
    socket.on('connect', () => socket.write(bytes));
  });
}

function parse(text: string): RawReply {
  const [ head, ...rest ] = text.split('\r\n\r\n');
  const [ statusLine, ...headerLines ] = head.split('\r\n');
  const headers = Object.fromEntries(headerLines.map(line => {
    const colon = line.indexOf(':');
    return [ line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim() ];
  }));
  return { status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') };
}

function assertJsonError(reply: RawReply, status: number, code: string) {
  assert.equal(reply.status, status, JSON.stringify(reply));
  assert.match(reply.headers['content-type'], /^application\/json/);
  const body = JSON.parse(reply.body);
  assert.equal(body.code, code);
  assert.equal(typeof body.message, 'string');
  assert.match(reply.headers['x-request-id'], /^[0-9a-f-]{36}$/);
}

describe('test/app/server_errors.test.ts', () => {
  it('should answer a 100 KB Authorization header 431 in JSON', async () => {
    const reply = await rawRequest(`GET /api/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(100 * 1024)}\r\n\r\n`);
    assertJsonError(reply, 431, 'HEADERS_TOO_LARGE');
  });

  it('should answer a request line that is not HTTP 400 in JSON', async () => {
    assertJsonError(await rawRequest('HELLO\r\n\r\n'), 400, 'INVALID_REQUEST');
    assertJsonError(await rawRequest('GET /api/products HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n'), 400, 'INVALID_REQUEST');
  });

  it('should answer Node\'s request time-out 408 in JSON', async () => {
    // Node checks its time-outs every 30 s (connectionsCheckingInterval): rather
    // than wait for one, raise exactly what it raises on the connection of a
    // request that has not finished arriving.
    const server = mockHttpServer(app);
    server.once('connection', (serverSide: Socket) => {
      const timeout = Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
      setImmediate(() => server.emit('clientError', timeout, serverSide));
    });
    // half a request: its headers never end
    const reply = await rawRequest('GET /api/products HTTP/1.1\r\nHost: x\r\n');
    assertJsonError(reply, 408, 'REQUEST_TIMEOUT');
  });

  it('should answer a malformed percent-encoding in the URL in JSON', async () => {
    // with a token, so that the route's own code sees the undecodable parameter
    const { token } = await loginAs(app, 'bad-url');
    for (const [ method, path ] of [[ 'get', '/api/orders/%E0%A4%A' ], [ 'post', '/api/orders/%E0%A4%A/pay' ], [ 'get', '/%' ]] as const) {
      const res = await app.httpRequest()[method](path).set('authorization', bearer(token));
      assert.ok(res.status >= 400 && res.status < 500, `${path}: ${res.status}`);
      assert.match(res.headers['content-type'], /^application\/json/, path);
      assert.equal(typeof res.body.code, 'string', path);
      assert.equal(typeof res.body.message, 'string', path);
      assert.ok(res.headers['x-request-id'], path);
    }
  });
});
