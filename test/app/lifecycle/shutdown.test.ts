import assert from 'node:assert/strict';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { HttpDrain } from '../../../app/lifecycle/shutdown';

function request(port: number): Promise<{ status: number; body: string; connection?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/', agent: new http.Agent({ keepAlive: true }) }, res => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', chunk => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode as number, body, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end('notify');
  });
}

describe('test/app/lifecycle/shutdown.test.ts', () => {
  let server: http.Server;
  let drain: HttpDrain;
  let port: number;
  // the handler holds each request until the test lets it answer
  let held: Array<(body: string) => void>;
  let arrived: () => void;

  beforeEach(async () => {
    held = [];
    server = http.createServer((_req, res) => {
      held.push(body => res.end(body));
      arrived?.();
    });
    drain = new HttpDrain(server);
    server.listen(0, '127.0.0.1');
    await new Promise(resolve => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(() => {
    server.closeAllConnections();
    server.close();
  });

  it('should stop accepting, then answer the request in flight before the drain ends', async () => {
    const inFlight = request(port);
    await new Promise<void>(resolve => { arrived = resolve; });
    assert.equal(drain.requestsInFlight, 1);

    const drained = drain.drain(60_000);
    // no new connection is accepted once the drain has begun
    await assert.rejects(request(port), (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED');

    held[0]('SUCCESS');
    const reply = await inFlight;
    assert.equal(reply.status, 200);
    assert.equal(reply.body, 'SUCCESS');
    // a keep-alive client is told to take its next request elsewhere
    assert.equal(reply.connection, 'close');
    assert.equal(await drained, 0);
  });

  it('should report the requests still unanswered when the deadline passes', async () => {
    const inFlight = request(port).catch(err => err as Error);
    await new Promise<void>(resolve => { arrived = resolve; });

    assert.equal(await drain.drain(1), 1);
    // the socket of the unanswered request is destroyed, as the process exit would
    assert.ok((await inFlight) instanceof Error);
  });

  it('should end at once when nothing is in flight', async () => {
    assert.equal(await drain.drain(60_000), 0);
  });
});
