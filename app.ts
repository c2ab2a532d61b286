import { Application, IBoot } from 'egg';
import { serializeTransactions } from './app/lib/sqlite-transactions';
import { HttpDrain, markShuttingDown, SHUTDOWN_CLOSE_BUDGET_MS, SHUTDOWN_DRAIN_MS } from './app/lifecycle/shutdown';
import { sandboxOf } from './app/middleware/sandbox';
import { DEMO_STAFF } from './app/service/staff';
import type { TlsListener } from './sandbox/tls-listener';

const UNUSED_CORE_MIDDLEWARE = [ 'meta', 'siteFile', 'notfound', 'overrideMethod' ];

export default class AppBoot implements IBoot {
  private sandboxTls?: TlsListener;
  private httpDrain?: HttpDrain;

  constructor(private readonly app: Application) {
    // egg-cluster's worker emits `server` before it listens: count its requests from the first.
    app.once('server', server => { this.httpDrain = new HttpDrain(server); });
  }

  configWillLoad() {
    const { coreMiddleware, sandbox } = this.app.config;
    // Every request runs the whole chain, a notify storm's thousands a second included: egg's
    // own middleware that this API has no use for goes. meta: an X-Readtime header; siteFile: a
    // /favicon.ico redirect to eggjs.org; notfound: its page for a 404 (errorHandler answers
    // those); overrideMethod: a POST turned into another method by `_method` or a header.
    for (const unused of UNUSED_CORE_MIDDLEWARE) {
      const at = coreMiddleware.indexOf(unused);
      if (at >= 0) coreMiddleware.splice(at, 1);
    }
    // First of all: every reply, errors included, carries X-Request-Id, and no error reaches
    // egg's onerror (which drops the headers); a malformed or oversized body gets the same
    // `{ code, message }` reply as every other error.
    coreMiddleware.unshift('errorHandler');
    // The simulator next, ahead of the body parser; never in production.
    if (sandbox.enabled) coreMiddleware.splice(1, 0, 'sandbox');
  }

  async didLoad() {
    // Every worker answers the agent's metrics collection (agent.ts), whichever worker a scrape hits.
    this.app.metricsScraper.listen();
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
    // `npm run dev` (one worker): the sandbox over TLS too, where config.local
    // points the Pay API (v2 refunds need mutual TLS). Tests start their own.
    if (this.app.config.env === 'local') this.sandboxTls = await startSandboxTls(this.app);
  }

  // SIGTERM (egg-scripts stop, a container stop): app.ts's hook runs before the
  // plugins' ones. Stop accepting, answer what was accepted, then close the
  // pool, all within egg-cluster's 5 s before it kills the worker.
  async beforeClose() {
    const started = Date.now();
    markShuttingDown(this.app);
    const unanswered = await this.httpDrain?.drain(SHUTDOWN_DRAIN_MS);
    if (unanswered) this.app.logger.warn('[AppBoot.beforeClose] %d requests still unanswered after %d ms', unanswered, SHUTDOWN_DRAIN_MS);
    await this.sandboxTls?.close();
    // The pool waits for every connection in use, and one may belong to work past its
    // deadline: give up before egg-cluster's kill so the later hooks (log flush) still run.
    const left = Math.max(0, SHUTDOWN_CLOSE_BUDGET_MS - (Date.now() - started));
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      this.app.model.close().then(() => true),
      new Promise<boolean>(resolve => { timer = setTimeout(() => resolve(false), left); }),
    ]);
    clearTimeout(timer);
    if (!closed) this.app.logger.warn('[AppBoot.beforeClose] the database pool did not close within %d ms', SHUTDOWN_CLOSE_BUDGET_MS);
  }
}

async function startSandboxTls(app: Application): Promise<TlsListener | undefined> {
  const port = app.config.sandbox.tlsPort;
  try {
    // Required here, not imported: production never loads the simulator.
    const { startTlsListener } = require('./sandbox/tls-listener') as typeof import('./sandbox/tls-listener');
    const listener = await startTlsListener(sandboxOf(app), { port });
    app.logger.info('[AppBoot.didReady] sandbox TLS on %s/sandbox/ (the Pay API base)', listener.origin);
    return listener;
  } catch (err) {
    // dev still starts; Pay API calls fail until the port is free (SANDBOX_TLS_PORT picks another)
    app.logger.error('[AppBoot.didReady] sandbox TLS not started on port %s: %s', port, (err as Error).message);
    return undefined;
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
