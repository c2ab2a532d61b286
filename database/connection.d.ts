import type { Options } from 'sequelize';

/** Bounds on every wait of a MySQL/MariaDB session (connection.js). */
export interface SessionLimits {
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  lockWaitTimeoutSeconds?: number;
}

export function sequelizeOptionsFromUrl(url: string, baseDir: string, limits?: SessionLimits): Options;
export function sessionLimitSettings(limits: SessionLimits, mariadb: boolean): string[];
/** A mysql2 connection's callback `query`, which is all prepareSession uses. */
export interface SessionConnection {
  query(sql: string, callback: (err: any, rows?: any) => void): unknown;
}
export function prepareSession(connection: SessionConnection, limits?: SessionLimits): Promise<void>;
export function databaseUrlFor(env: string, vars?: Record<string, string | undefined>): string | undefined;
