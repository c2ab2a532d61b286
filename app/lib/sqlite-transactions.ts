import type { Sequelize } from 'sequelize';

/**
 * SQLite (the embedded development and test database) has one writer at a
 * time, and Sequelize opens a new connection per transaction: dozens of
 * concurrent transactions then spin on SQLITE_BUSY and can starve each other
 * for good. Running this process's transactions one after another gives
 * SQLite what it can do anyway, deterministically. MySQL is left alone.
 */
export function serializeTransactions(sequelize: Sequelize): void {
  const transaction = sequelize.transaction.bind(sequelize) as (...args: unknown[]) => Promise<unknown>;
  let tail: Promise<unknown> = Promise.resolve();
  (sequelize as unknown as { transaction: (...args: unknown[]) => Promise<unknown> }).transaction = (...args: unknown[]) => {
    const run = tail.then(() => transaction(...args));
    tail = run.catch(() => undefined);
    return run;
  };
}
