import assert from 'node:assert/strict';
import { app, mock } from 'egg-mock/bootstrap';
import mysql from 'mysql2';
import { prepareSession, SessionConnection } from '../../database/connection';

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

  it('should keep the limits a server has when it refuses one (a MariaDB taken for MySQL 8), and say so', async function() {
    if (app.model.getDialect() !== 'mysql') return this.skip();
    const { host, port, username, password, database } = app.model.config as any;
    const real = mysql.createConnection({ host, port, user: username, password, database });
    const warnings: string[] = [];
    mock(console, 'warn', (line: string) => warnings.push(line));
    try {
      // The server says it is MySQL 8, so the statement bound is max_execution_time, which MariaDB does not have.
      const misdetected: SessionConnection = {
        query: (sql, callback) => (sql.startsWith('SELECT VERSION()') ? callback(null, [{ version: '8.0.36' }]) : real.query(sql, callback)),
      };
      const isMariadb = await new Promise<boolean>((resolve, reject) => real.query('SELECT VERSION() AS v', (err, rows: any) => (err ? reject(err) : resolve(/mariadb/i.test(rows[0].v)))));
      if (!isMariadb) return this.skip();
      await prepareSession(misdetected, { lockWaitTimeoutSeconds: 7, statementTimeoutMs: 1500 });
      const row = await new Promise<any>((resolve, reject) => real.query('SELECT @@SESSION.innodb_lock_wait_timeout AS innodb, @@SESSION.lock_wait_timeout AS metadata',
        (err, rows: any) => (err ? reject(err) : resolve(rows[0]))));
      assert.equal(Number(row.innodb), 7);
      assert.equal(Number(row.metadata), 7);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /max_execution_time \(ER_UNKNOWN_SYSTEM_VARIABLE\)/);
    } finally {
      real.destroy();
    }
  });

  it('should refuse the connection when setting its limits fails for another reason', async () => {
    const broken: SessionConnection = {
      query: (sql, callback) => {
        if (sql.startsWith('SELECT VERSION()')) return callback(null, [{ version: '10.11.9-MariaDB' }]);
        if (sql.includes('lock_wait_timeout')) return callback(Object.assign(new Error('Connection lost'), { errno: 2013 }));
        return callback(null, []);
      },
    };
    await assert.rejects(prepareSession(broken, { lockWaitTimeoutSeconds: 5 }), /Connection lost/);
  });
});
