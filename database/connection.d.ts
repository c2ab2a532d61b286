import type { Options } from 'sequelize';

export function sequelizeOptionsFromUrl(url: string, baseDir: string): Options;
export function databaseUrlFor(env: string, vars?: Record<string, string | undefined>): string | undefined;
