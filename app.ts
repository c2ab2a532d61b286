import { Application, IBoot } from 'egg';
import { serializeTransactions } from './app/lib/sqlite-transactions';
import { DEMO_STAFF } from './app/service/staff';

export default class AppBoot implements IBoot {
  constructor(private readonly app: Application) {}

  configWillLoad() {
    const { coreMiddleware, sandbox } = this.app.config;
    // The error mapping wraps the body parser too, so a malformed or oversized
    // body gets the same `{ code, message }` reply as every other error.
    coreMiddleware.splice(coreMiddleware.indexOf('bodyParser'), 0, 'errorHandler');
    // The simulator goes first, ahead of the body parser; never in production.
    if (sandbox.enabled) coreMiddleware.unshift('sandbox');
  }

  async didLoad() {
    if (this.app.model.getDialect() === 'sqlite') {
      serializeTransactions(this.app.model);
      // In WAL mode readers never block the writer and a commit never waits
      // for readers; a write outside a transaction that meets the lock is
      // retried (database/connection.js). Kept in the file once set.
      await this.app.model.query('PRAGMA journal_mode=WAL');
    }
  }

  async didReady() {
    // `npm run dev` only: an operator to try the staff API with. Never in
    // prod or unittest, whose env is not 'local'.
    if (this.app.config.env === 'local') await seedDemoStaff(this.app);
  }
}

async function seedDemoStaff(app: Application): Promise<void> {
  const { username, password } = DEMO_STAFF;
  try {
    const created = await app.createAnonymousContext().service.staff.createIfMissing(DEMO_STAFF);
    app.logger.info('[AppBoot.didReady] local staff operator %s / %s %s', username, password, created ? 'created' : 'already present');
  } catch (err) {
    // a database without the staff migration: dev still starts, without the account
    app.logger.warn('[AppBoot.didReady] local staff operator %s not seeded: %s', username, (err as Error).message);
  }
}
