import { existsSync, readFileSync } from 'node:fs';

/**
 * The standalone sandbox's own reading of environment variables. It is
 * WeChat's side and shares no code with the service, but it reads the
 * variables the way the service does (trimmed, blank = unset), so that one
 * environment configures both.
 */
export type Env = Record<string, string | undefined>;

/** A trimmed variable, undefined when unset or blank. */
export function envValue(name: string, env: Env): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** A TCP port; 0 asks the system for any free one. */
export function envPort(name: string, fallback: number, env: Env): number {
  const raw = envValue(name, env);
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) throw new Error(`${name} must be a port number (0-65535)`);
  return port;
}

export function envScale(name: string, fallback: number, env: Env): number {
  const raw = envValue(name, env);
  if (raw === undefined) return fallback;
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale < 0) throw new Error(`${name} must be a number >= 0`);
  return scale;
}

/** A PEM variable holds the PEM text itself or the path of a PEM file; '' when unset. */
export function envPem(name: string, env: Env): string {
  const value = envValue(name, env);
  if (value === undefined) return '';
  if (value.includes('-----BEGIN')) return value;
  if (existsSync(value)) return readFileSync(value, 'utf8');
  throw new Error(`${name} is neither PEM text nor the path of a file`);
}
