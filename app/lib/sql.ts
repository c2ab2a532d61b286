import type { Sequelize } from 'sequelize';
import { QueryTypes } from 'sequelize';

/**
 * Plain SQL for the hot paths (the notify settlement): the same statements,
 * written once with `?` placeholders, run on MySQL/MariaDB through a bare
 * mysql2 connection borrowed from Sequelize's own pool (prepared statements,
 * callback API: none of the ORM's per-call model building, validation,
 * hooks, option cloning or stack capture), and through sequelize.query()
 * on any other dialect (SQLite in development and tests).
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

function isMysql(sequelize: Sequelize): boolean {
  const dialect = sequelize.getDialect();
  return dialect === 'mysql' || dialect === 'mariadb';
}

function call(conn: MysqlConnection, sql: string, params?: unknown[]): Promise<any> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, result: unknown) => (err ? reject(err) : resolve(result));
    if (params) conn.execute(sql, params, done);
    else conn.query(sql, done);
  });
}

function onConnection(conn: MysqlConnection): Sql {
  return {
    select: (sql, params) => call(conn, sql, params),
    write: async (sql, params) => (await call(conn, sql, params)).affectedRows as number,
  };
}

async function borrow<T>(sequelize: Sequelize, work: (conn: MysqlConnection) => Promise<T>): Promise<T> {
  const manager = sequelize.connectionManager;
  const conn = await manager.getConnection({ type: 'write' }) as MysqlConnection;
  try {
    return await work(conn);
  } finally {
    manager.releaseConnection(conn);
  }
}

/** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
export async function sqlTransaction<T>(sequelize: Sequelize, work: (sql: Sql) => Promise<T>): Promise<T> {
  if (!isMysql(sequelize)) {
    return sequelize.transaction(transaction => work({
      select: (sql, params) => sequelize.query(sql, { replacements: params, type: QueryTypes.SELECT, transaction }) as Promise<any>,
      write: async (sql, params) => {
        const [ , affected ] = await sequelize.query(sql, { replacements: params, type: QueryTypes.UPDATE, transaction }) as unknown as [ unknown, number ];
        return affected;
      },
    }));
  }
  const manager = sequelize.connectionManager;
  const conn = await manager.getConnection({ type: 'write' }) as MysqlConnection;
  try {
    await call(conn, 'START TRANSACTION');
    const result = await work(onConnection(conn));
    await call(conn, 'COMMIT');
    manager.releaseConnection(conn);
    return result;
  } catch (err) {
    // A connection whose rollback failed may still hold the transaction: never reuse it.
    try {
      await call(conn, 'ROLLBACK');
      manager.releaseConnection(conn);
    } catch {
      await manager.destroyConnection(conn).catch(() => undefined);
    }
    throw err;
  }
}

/** One statement outside any transaction (autocommit). */
export const sql = {
  select<T>(sequelize: Sequelize, text: string, params: unknown[]): Promise<T[]> {
    if (!isMysql(sequelize)) return sequelize.query(text, { replacements: params, type: QueryTypes.SELECT }) as Promise<any>;
    return borrow(sequelize, conn => onConnection(conn).select<T>(text, params));
  },
  async write(sequelize: Sequelize, text: string, params: unknown[]): Promise<number> {
    if (!isMysql(sequelize)) {
      const [ , affected ] = await sequelize.query(text, { replacements: params, type: QueryTypes.UPDATE }) as unknown as [ unknown, number ];
      return affected;
    }
    return borrow(sequelize, conn => onConnection(conn).write(text, params));
  },
};
