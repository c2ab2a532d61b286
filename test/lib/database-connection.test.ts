import assert from 'node:assert/strict';
import path from 'node:path';
import { databaseUrlFor, sequelizeOptionsFromUrl, sessionLimitSettings } from '../../database/connection';

describe('test/lib/database-connection.test.ts', () => {
  it('should read a MySQL URL with credentials', () => {
    const options = sequelizeOptionsFromUrl('mysql://shop:p%40ss@db.internal:3307/wxpay', '/srv');
    assert.equal(options.dialect, 'mysql');
    assert.equal(options.host, 'db.internal');
    assert.equal(options.port, 3307);
    assert.equal(options.username, 'shop');
    assert.equal(options.password, 'p@ss');
    assert.equal(options.database, 'wxpay');
  });

  it('should resolve a SQLite path against the base directory', () => {
    const options = sequelizeOptionsFromUrl('sqlite:run/x.sqlite', '/srv/app');
    assert.equal(options.dialect, 'sqlite');
    assert.equal(options.storage, path.resolve('/srv/app', 'run/x.sqlite'));
  });

  it('should refuse URLs it cannot use, without echoing them', () => {
    assert.throws(() => sequelizeOptionsFromUrl('postgres://u:secret@h/db', '/'), /protocol postgres: is not supported/);
    assert.throws(() => sequelizeOptionsFromUrl('mysql://u:secret@h:3306/', '/'), /must name a database/);
    assert.throws(() => sequelizeOptionsFromUrl('not a url secret', '/'), err => !/secret/.test((err as Error).message));
  });

  it('should bound a session\'s waits in the dialect of MariaDB and of MySQL 8', () => {
    const limits = { statementTimeoutMs: 2500, lockWaitTimeoutSeconds: 5 };
    assert.deepEqual(sessionLimitSettings(limits, true),
      [ 'innodb_lock_wait_timeout = 5', 'lock_wait_timeout = 5', 'max_statement_time = 2.5' ]);
    assert.deepEqual(sessionLimitSettings(limits, false),
      [ 'innodb_lock_wait_timeout = 5', 'lock_wait_timeout = 5', 'max_execution_time = 2500' ]);
    // values go into SQL text: anything but a positive integer is left out
    assert.deepEqual(sessionLimitSettings({ statementTimeoutMs: '1; DROP' as any, lockWaitTimeoutSeconds: 0 }, true), []);
  });

  it('should pass the connect time-out to mysql2 and leave migrations (no limits) unbounded', () => {
    assert.equal((sequelizeOptionsFromUrl('mysql://h/db', '/', { connectTimeoutMs: 3000 }).dialectOptions as any).connectTimeout, 3000);
    assert.equal((sequelizeOptionsFromUrl('mysql://h/db', '/').dialectOptions as any).connectTimeout, undefined);
  });

  it('should default to SQLite locally and in tests, and to nothing in prod', () => {
    assert.equal(databaseUrlFor('local', {}), 'sqlite:run/local.sqlite');
    assert.equal(databaseUrlFor('unittest', {}), 'sqlite:run/unittest.sqlite');
    assert.equal(databaseUrlFor('prod', {}), undefined);
    assert.equal(databaseUrlFor('prod', { DATABASE_URL: 'mysql://h/db' }), 'mysql://h/db');
  });
});
