import type { Sequelize, Transaction } from 'sequelize';
import { QueryTypes } from 'sequelize';

/**
 * Plain SQL for the hot paths (the notify settlement): statements written
 * once with `?` placeholders, run by the same code on every dialect. The only
 * dialect-specific part is `openSession` below: on MySQL/MariaDB a bare
 * mysql2 connection borrowed from Sequelize's own pool (prepared statements,
 * none of the ORM's per-call model building, validation, hooks or option
 * cloning); on SQLite (development and the default test run) Sequelize's own
 * queries, inside its serialized transactions.
 */
export interface Sql {
  /** The rows of a SELECT. */
  select<T>(sql: string, params: unknown[]): Promise<T[]>;
  /** The number of rows an UPDATE / INSERT / DELETE changed. */
  write(sql: string, params: unknown[]): Promise<number>;
}

// The mysql2 connection as Sequelize's pool hands it out (callback API).
interface MysqlConnection {
  query(sql: string, callback: (err: Error | null, result: unknown) => void): unknown;
  execute(sql: string, params: unknown[], callback: (err: Error | null, result: unknown) => void): unknown;
}

function mysqlCall(conn: MysqlConnection, sql: string, params?: unknown[]): Promise<any> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, result: unknown) => (err ? reject(err) : resolve(result));
    if (params) conn.execute(sql, params, done);
    else conn.query(sql, done);
  });
}

function sequelizeSql(sequelize: Sequelize, transaction?: Transaction): Sql {
  return {
    select: (sql, params) => sequelize.query(sql, { replacements: params, type: QueryTypes.SELECT, transaction }) as Promise<any>,
    write: async (sql, params) => {
      const [ , affected ] = await sequelize.query(sql, { replacements: params, type: QueryTypes.UPDATE, transaction }) as unknown as [ unknown, number ];
      return affected;
    },
  };
}

/**
 * The one place the dialects differ: a session to run statements in, as a
 * transaction (committed when `work` resolves, rolled back when it throws) or
 * in autocommit.
 */
async function openSession<T>(sequelize: Sequelize, transactional: boolean, work: (sql: Sql) => Promise<T>): Promise<T> {
  const dialect = sequelize.getDialect();
  if (dialect !== 'mysql' && dialect !== 'mariadb') {
    return transactional ? sequelize.transaction(transaction => work(sequelizeSql(sequelize, transaction))) : work(sequelizeSql(sequelize));
  }
  const manager = sequelize.connectionManager;
  const conn = await manager.getConnection({ type: 'write' }) as MysqlConnection;
  const sql: Sql = {
    select: (text, params) => mysqlCall(conn, text, params),
    write: async (text, params) => (await mysqlCall(conn, text, params)).affectedRows as number,
  };
  try {
    if (transactional) await mysqlCall(conn, 'START TRANSACTION');
    const result = await work(sql);
    if (transactional) await mysqlCall(conn, 'COMMIT');
    manager.releaseConnection(conn);
    return result;
  } catch (err) {
    // A connection whose rollback failed may still hold the transaction: never reuse it.
    try {
      if (transactional) await mysqlCall(conn, 'ROLLBACK');
      manager.releaseConnection(conn);
    } catch {
      await manager.destroyConnection(conn).catch(() => undefined);
    }
    throw err;
  }
}

// MySQL/MariaDB ER_LOCK_DEADLOCK: the server rolled the transaction back, and running it again
// usually succeeds. ER_LOCK_WAIT_TIMEOUT (1205) is not retried: the lock is still held, and
// DATABASE_LOCK_WAIT_TIMEOUT_S is all the wait a statement may have; a retry would multiply that
// wait, and the pooled connection held through it, by the attempts.
const DEADLOCK_ERRNO = 1213;
export const DEADLOCK_ATTEMPTS = 4;

/** Whether a statement failed because the server chose its transaction as a deadlock's victim. */
export function isDeadlock(err: unknown): boolean {
  const { errno, parent } = err as { errno?: unknown; parent?: { errno?: unknown } };
  return errno === DEADLOCK_ERRNO || parent?.errno === DEADLOCK_ERRNO;
}

/**
 * Runs `work` in one transaction. A deadlock rolls the whole transaction
 * back, so it is run again from the start, a bounded number of times, before
 * the failure reaches the caller.
 */
export async function sqlTransaction<T>(sequelize: Sequelize, work: (sql: Sql) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await openSession(sequelize, true, work);
    } catch (err) {
      if (!isDeadlock(err) || attempt >= DEADLOCK_ATTEMPTS) throw err;
      // A short random pause so the transactions that collided do not collide again.
      await new Promise(resolve => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}

/** One statement outside any transaction (autocommit). */
export const sql = {
  select<T>(sequelize: Sequelize, text: string, params: unknown[]): Promise<T[]> {
    return openSession(sequelize, false, session => session.select<T>(text, params));
  },
  write(sequelize: Sequelize, text: string, params: unknown[]): Promise<number> {
    return openSession(sequelize, false, session => session.write(text, params));
  },
};
