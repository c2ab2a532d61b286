import type { Options } from 'sequelize';

/** Bounds on every wait of a MySQL/MariaDB session (connection.js). */
export interface SessionLimits {
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  lockWaitTimeoutSeconds?: number;
}

export function sequelizeOptionsFromUrl(url: string, baseDir: string, limits?: SessionLimits): Options;
export function sessionLimitSettings(limits: SessionLimits, mariadb: boolean): string[];
export function databaseUrlFor(env: string, vars?: Record<string, string | undefined>): string | undefined;
