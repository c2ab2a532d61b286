'use strict';

/**
 * Turns DATABASE_URL into Sequelize options. Shared by the app's config and by
 * sequelize-cli (database/config.js), so migrations always reach the database
 * the service uses. Plain JavaScript because sequelize-cli loads it without a
 * TypeScript compiler (production images have none).
 */

const path = require('path');

const DEFAULT_SQLITE_FILES = {
  local: 'run/local.sqlite',
  unittest: 'run/unittest.sqlite',
};

/**
 * @param {string} url `mysql://user:pass@host:3306/db` or `sqlite:path`
 * @param {string} baseDir directory a relative SQLite path is resolved against
 * @param {object} [limits] bounds on every wait of a MySQL/MariaDB session (the app's; migrations run unbounded)
 * @param {number} [limits.connectTimeoutMs] opening a connection
 * @param {number} [limits.statementTimeoutMs] one statement (MySQL 8: SELECTs only)
 * @param {number} [limits.lockWaitTimeoutSeconds] one wait for a row lock or a table's metadata lock
 * @return {object} options for `new Sequelize(options)`
 */
function sequelizeOptionsFromUrl(url, baseDir, limits) {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!file) throw new Error('DATABASE_URL sqlite: needs a file path, e.g. sqlite:run/local.sqlite');
    return {
      dialect: 'sqlite',
      storage: path.resolve(baseDir, file),
      // SQLite has one writer at a time: take the write lock when a
      // transaction begins (never a deadlock on upgrade), and retry in
      // JavaScript while another holds it. A busy timeout would instead park
      // libuv's few threads in sqlite3 and stall the lock holder's own queries.
      transactionType: 'IMMEDIATE',
      retry: { match: [ /SQLITE_BUSY/ ], max: 100, backoffBase: 5, backoffExponent: 1.05 },
    };
  }
  let parsed;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new Error('DATABASE_URL is not a valid URL (expected mysql://user:pass@host:3306/db or sqlite:path)');
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new Error(`DATABASE_URL protocol ${parsed.protocol} is not supported (use mysql: or sqlite:)`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new Error('DATABASE_URL must name a database, e.g. mysql://root@127.0.0.1:3306/wxpay');
  return {
    dialect: 'mysql',
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
    timezone: '+00:00',
    dialectOptions: { charset: 'utf8mb4', ...(limits && limits.connectTimeoutMs ? { connectTimeout: limits.connectTimeoutMs } : {}) },
    hooks: { afterConnect: connection => prepareSession(connection, limits) },
  };
}

/**
 * Every connection reads committed data. The service's correctness rests on
 * compare-and-set updates, never on repeatable reads; and under REPEATABLE
 * READ an UPDATE that the optimizer runs through a non-unique index (the
 * settlement's `status = 'PENDING'` on a table with few pending orders) takes
 * next-key locks, so two concurrent settlements of one order could deadlock
 * on the gap their own status change inserts into. READ COMMITTED takes no
 * such gap locks.
 * With limits, no statement waits without bound on a stuck database: a lock
 * held elsewhere (a row, or `LOCK TABLES`, whose metadata lock
 * innodb_lock_wait_timeout does not cover: lock_wait_timeout does) or a
 * runaway statement ends in an error the caller handles. The statement
 * timeout's name and unit differ: MariaDB's max_statement_time (seconds, every
 * statement), MySQL 8's max_execution_time (milliseconds, SELECTs only).
 * @param {object} connection a mysql2 connection (callback API)
 * @param {object} [limits] see sequelizeOptionsFromUrl
 * @return {Promise<void>} resolves once the session is set
 */
async function prepareSession(connection, limits) {
  const query = text => new Promise((resolve, reject) => {
    connection.query(text, (err, rows) => (err ? reject(err) : resolve(rows)));
  });
  await query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
  if (!limits) return;
  const [{ version }] = await query('SELECT VERSION() AS version');
  const settings = sessionLimitSettings(limits, /mariadb/i.test(version));
  if (settings.length === 0) return;
  try {
    await query(`SET SESSION ${settings.join(', ')}`);
  } catch (err) {
    if (!UNSETTABLE_VARIABLE_ERRORS.has(err && err.errno)) throw err;
    // A server that lacks one of them (a MySQL-compatible engine, or a
    // MariaDB taken for MySQL) still gets every limit it has: refusing every
    // connection over one unknown variable would turn a missing bound into an outage.
    for (const setting of settings) {
      try {
        await query(`SET SESSION ${setting}`);
      } catch (one) {
        if (!UNSETTABLE_VARIABLE_ERRORS.has(one && one.errno)) throw one;
        warnUnsettable(setting, one);
      }
    }
  }
}

// ER_UNKNOWN_SYSTEM_VARIABLE, ER_GLOBAL_VARIABLE (no session scope), ER_INCORRECT_GLOBAL_LOCAL_VAR.
// A value the server refuses (ER_WRONG_VALUE_FOR_VAR) is a configuration mistake: that stays fatal.
const UNSETTABLE_VARIABLE_ERRORS = new Set([ 1193, 1229, 1238 ]);
const warnedSettings = new Set();

/** Says once per process which bound the server refused, so the operator knows that wait is unbounded. */
function warnUnsettable(setting, err) {
  const name = setting.split(' = ')[0];
  if (warnedSettings.has(name)) return;
  warnedSettings.add(name);
  console.warn(`[database] the server refused SET SESSION ${name} (${err.code || err.errno}): that wait keeps the server's default`);
}

/**
 * The SET SESSION assignments bounding a session's waits, for MariaDB or MySQL.
 * @param {object} limits see sequelizeOptionsFromUrl
 * @param {boolean} mariadb the server is MariaDB
 * @return {string[]} assignments, e.g. `innodb_lock_wait_timeout = 5`
 */
function sessionLimitSettings(limits, mariadb) {
  const settings = [];
  const lockWait = positiveInt(limits.lockWaitTimeoutSeconds);
  if (lockWait) settings.push(`innodb_lock_wait_timeout = ${lockWait}`, `lock_wait_timeout = ${lockWait}`);
  const statementMs = positiveInt(limits.statementTimeoutMs);
  if (statementMs) {
    settings.push(mariadb ? `max_statement_time = ${statementMs / 1000}` : `max_execution_time = ${statementMs}`);
  }
  return settings;
}

/** The value when a positive integer (it goes into SQL text), else undefined. */
function positiveInt(value) {
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * The DATABASE_URL for an environment: the variable when set, else the
 * embedded SQLite file of local and unittest; production has no default.
 * @param {string} env egg server env (local, unittest, prod)
 * @param {object} [vars] environment variables
 * @return {string|undefined} the URL, undefined when prod has none
 */
function databaseUrlFor(env, vars = process.env) {
  const fromEnv = vars.DATABASE_URL && vars.DATABASE_URL.trim();
  if (fromEnv) return fromEnv;
  const file = DEFAULT_SQLITE_FILES[env];
  return file ? `sqlite:${file}` : undefined;
}

module.exports = { sequelizeOptionsFromUrl, databaseUrlFor, sessionLimitSettings, prepareSession };
