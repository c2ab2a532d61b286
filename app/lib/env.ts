/**
 * Reading configuration from environment variables, in one typed place.
 * Config files call these instead of touching process.env directly, so a
 * missing or malformed variable is reported the same way everywhere.
 */

import { isClockTime } from './bill-day';

export type Env = Record<string, string | undefined>;

/** A trimmed variable, or `fallback` when unset or blank. */
export function envString(name: string, fallback: string, env: Env = process.env): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

/** A trimmed variable, or undefined when unset or blank. */
export function envOptional(name: string, env: Env = process.env): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** A positive integer variable; a malformed value is a configuration error, not a silent default. */
export function envPositiveInt(name: string, fallback: number, env: Env = process.env): number {
  const raw = envOptional(name, env);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) <= 0) {
    throw new Error(`Environment variable ${name} must be a positive integer`);
  }
  return Number(raw);
}

/** One of the allowed values; anything else is a configuration error naming the choices. */
export function envChoice<T extends string>(name: string, choices: readonly T[], fallback: T, env: Env = process.env): T {
  const raw = envOptional(name, env);
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new Error(`Environment variable ${name} must be one of ${choices.join(', ')}`);
  }
  return raw as T;
}

/** A time of day `HH:MM` (00:00 to 23:59); anything else is a configuration error. */
export function envClockTime(name: string, fallback: string, env: Env = process.env): string {
  const raw = envOptional(name, env);
  if (raw === undefined) return fallback;
  if (!isClockTime(raw)) throw new Error(`Environment variable ${name} must be a time of day HH:MM (00:00 to 23:59)`);
  return raw;
}

/** Names of the variables in `names` that are unset or blank. */
export function missingEnv(names: readonly string[], env: Env = process.env): string[] {
  return names.filter(name => envOptional(name, env) === undefined);
}

/**
 * Stops the start when required variables are missing, naming every one of
 * them at once so an operator fixes the deployment in a single round.
 */
export function assertEnvPresent(names: readonly string[], env: Env = process.env): void {
  const missing = missingEnv(names, env);
  if (missing.length > 0) {
    throw new Error(`Missing required environment variables: ${missing.join(', ')}`);
  }
}
