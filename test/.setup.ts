import { execFileSync } from 'node:child_process';
import { AddressInfo } from 'node:net';
import { Server } from 'node:http';
import path from 'node:path';
import { app } from 'egg-mock/bootstrap';
import { databaseUrlFor } from '../database/connection';
import { sandboxOf } from '../app/middleware/sandbox';

// Tables in the order they can be emptied without breaking foreign keys.
const TABLES = [ 'refunds', 'payment_events', 'order_items', 'orders', 'products', 'users', 'staff_login_failures', 'staff' ];
let server: Server;

before(async () => {
  // The schema comes from the real migrations, run by the real CLI.
  const root = path.join(__dirname, '..');
  execFileSync(process.execPath, [ require.resolve('sequelize-cli/lib/sequelize'), 'db:migrate' ], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: databaseUrlFor('unittest') },
    stdio: 'pipe',
  });
  await app.ready();
  // WeChat (the sandbox) talks to us over real HTTP, so the app listens on a
  // free port and the WeChat base URLs and the notify URL point at it.
  server = app.listen(0, '127.0.0.1');
  await new Promise(resolve => server.once('listening', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app.config.wechat.apiBase = `${origin}/sandbox/wechat`;
  app.config.wxpay.apiBase = `${origin}/sandbox/pay`;
  app.config.wxpay.notifyUrl = `${origin}/api/pay/notify`;
});

beforeEach(async () => {
  for (const table of TABLES) {
    await app.model.query(`DELETE FROM ${table}`);
  }
  sandboxOf(app).faults.clear();
});

after(async () => {
  await new Promise(resolve => server?.close(resolve));
});
