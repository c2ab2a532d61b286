import assert from 'node:assert/strict';
import { app } from 'egg-mock/bootstrap';

/** Every pooled MySQL/MariaDB session has its waits bounded (database/connection.js, #11). */
describe('test/app/database_session.test.ts', () => {
  it('should bound lock waits and statements on every session, and the pool\'s acquire time', async function() {
    assert.equal((app.config.sequelize as any).pool.acquire, 3000);
    if (app.model.getDialect() !== 'mysql') return this.skip();
    const row = await app.model.query('SELECT VERSION() AS version, @@SESSION.innodb_lock_wait_timeout AS innodbLockWait, '
      + '@@SESSION.lock_wait_timeout AS lockWait', { plain: true, raw: true }) as { version: string; innodbLockWait: unknown; lockWait: unknown };
    assert.equal(Number(row.innodbLockWait), 5);
    assert.equal(Number(row.lockWait), 5);
    const mariadb = /mariadb/i.test(row.version);
    const statement = await app.model.query(mariadb ? 'SELECT @@SESSION.max_statement_time AS timeout' : 'SELECT @@SESSION.max_execution_time AS timeout',
      { plain: true, raw: true }) as { timeout: unknown };
    // the default DATABASE_STATEMENT_TIMEOUT_MS, 300 s: room for a million-row bill comparison
    assert.equal(Number(statement.timeout), mariadb ? 300 : 300000);
  });
});
