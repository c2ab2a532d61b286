import { execFileSync } from 'node:child_process';
import { AddressInfo } from 'node:net';
import http, { Server } from 'node:http';
import path from 'node:path';
import { app } from 'egg-mock/bootstrap';
// the server app.httpRequest() uses (egg-mock caches one per app)
import mockHttpServer = require('egg-mock/lib/mock_http_server');
import { databaseUrlFor } from '../database/connection';
import { sandboxOf } from '../app/middleware/sandbox';
import { startTlsListener, TlsListener } from '../sandbox/tls-listener';
import { installOpenApiConformance, takeViolations, violationError } from './openapi/hook';

// Tables in the order they can be emptied without breaking foreign keys.
const TABLES = [ 'bill_discrepancies', 'bill_rows', 'bill_reconciliations', 'refunds', 'payment_events', 'order_items', 'orders', 'products', 'users', 'staff_login_failures', 'staff' ];
let server: Server;
let tls: TlsListener | undefined;

// app.httpRequest() serves every request from one cached server, which
// supertest starts listening for a request that finds it closed and closes
// again when that request ends: with requests in flight side by side, the
// close resets the connections still waiting to be accepted (ECONNRESET).
// So that server listens for the whole run (requestServer, below), and test
// requests do not share sockets either: Node 20's global agent would keep them
// alive across servers.
http.globalAgent = new http.Agent({ keepAlive: false });
let requestServer: Server | undefined;

before(async () => {
  // Read by Node at start only: the test process must have been started with it (npm test, npm run cov).
  if (!process.env.NODE_EXTRA_CA_CERTS) {
    throw new Error('the Pay API goes over TLS to the sandbox: run the tests with NODE_EXTRA_CA_CERTS=sandbox/tls/ca.pem (npm test does)');
  }
  // The schema comes from the real migrations, run by the real CLI.
  const root = path.join(__dirname, '..');
  execFileSync(process.execPath, [ require.resolve('sequelize-cli/lib/sequelize'), 'db:migrate' ], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: databaseUrlFor('unittest') },
    stdio: 'pipe',
  });
  await app.ready();
  // Before either server below is created from app.callback(): every reply the tests receive is checked against the OpenAPI document.
  installOpenApiConformance(app);
  const requests = mockHttpServer(app);
  requestServer = requests;
  requests.listen(0, '127.0.0.1');
  await new Promise(resolve => requests.once('listening', resolve));
  // WeChat (the sandbox) talks to us over real HTTP, so the app listens on a
  // free port and the WeChat base URL and the notify URL point at it.
  server = app.listen(0, '127.0.0.1');
  await new Promise(resolve => server.once('listening', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app.config.wechat.apiBase = `${origin}/sandbox/wechat`;
  app.config.wxpay.notifyUrl = `${origin}/api/pay/notify`;
  // Every Pay API call goes over TLS, as in production, to the same sandbox:
  // the v2 refund presents the merchant API certificate there.
  tls = await startTlsListener(sandboxOf(app), { port: 0 });
  app.config.wxpay.apiBase = `${tls.origin}/sandbox/pay`;
});

beforeEach(async () => {
  for (const table of TABLES) {
    await app.model.query(`DELETE FROM ${table}`);
  }
  sandboxOf(app).faults.clear();
});

// A reply that does not conform to the OpenAPI document fails the test that received it
// (a hook's error() fails the current test without stopping the run, unlike a throw).
afterEach(function() {
  const error = violationError(takeViolations());
  if (error) (this.test as Mocha.Hook).error(error);
});

after(async () => {
  const error = violationError(takeViolations());
  await tls?.close();
  await new Promise(resolve => server?.close(resolve));
  await new Promise(resolve => (requestServer?.listening ? requestServer.close(resolve) : resolve(undefined)));
  if (error) throw error;
});
