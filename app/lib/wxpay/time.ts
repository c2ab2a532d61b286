// WeChat Pay's two ways of writing a time, both in Beijing time (UTC+8, no daylight saving).
const BEIJING_OFFSET_MS = 8 * 3600_000;
const CHINA_OFFSET = '+08:00';

/** v2's yyyyMMddHHmmss in Beijing time: `2026-11-22T10:00:00Z` → `20261122180000`. */
export function formatV2Time(date: Date): string {
  return new Date(date.getTime() + BEIJING_OFFSET_MS).toISOString().replace(/\D/g, '')
    .slice(0, 14);
}

/** v2 `time_end` (yyyyMMddHHmmss, Beijing time) as a Date; undefined when malformed. */
export function parseV2Time(value: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value ?? '');
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${CHINA_OFFSET}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

// RFC 3339 as v3 writes it: seconds, optional fraction, a Z or a ±hh:mm offset.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** v3 time (`2026-11-22T18:00:00+08:00`) as a Date; undefined when malformed. */
export function parseV3Time(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !RFC3339.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A Date as v3 writes times: RFC 3339 in Beijing time, `2026-11-22T18:00:00+08:00`. */
export function formatV3Time(date: Date): string {
  return new Date(date.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 19) + CHINA_OFFSET;
}
