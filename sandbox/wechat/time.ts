/**
 * WeChat Pay writes times in Beijing time (UTC+8 all year, China has no DST):
 * v2 as `yyyyMMddHHmmss` without a zone (time_end), v3 as RFC 3339 with
 * `+08:00` (success_time, create_time). Computed by shifting the instant
 * by eight hours and reading the UTC fields, so the host's zone never matters.
 */
const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;
const COMPACT = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

interface Fields {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

function two(value: number): string {
  return String(value).padStart(2, '0');
}

function beijingFields(ms: number): Fields {
  if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${ms}`);
  const t = new Date(ms + BEIJING_OFFSET_MS);
  return {
    year: String(t.getUTCFullYear()).padStart(4, '0'),
    month: two(t.getUTCMonth() + 1),
    day: two(t.getUTCDate()),
    hour: two(t.getUTCHours()),
    minute: two(t.getUTCMinutes()),
    second: two(t.getUTCSeconds()),
  };
}

/** `yyyyMMddHHmmss`, Beijing time: v2's time_end, time_start, time_expire. */
export function beijingCompact(ms: number): string {
  const f = beijingFields(ms);
  return `${f.year}${f.month}${f.day}${f.hour}${f.minute}${f.second}`;
}

/** `yyyy-MM-dd HH:mm:ss`, Beijing time: v2's refund times (success_time, refund_success_time_$n). */
export function beijingDateTime(ms: number): string {
  const f = beijingFields(ms);
  return `${f.year}-${f.month}-${f.day} ${f.hour}:${f.minute}:${f.second}`;
}

/** `yyyy-MM-ddTHH:mm:ss+08:00`: v3's times. */
export function beijingRfc3339(ms: number): string {
  const f = beijingFields(ms);
  return `${f.year}-${f.month}-${f.day}T${f.hour}:${f.minute}:${f.second}+08:00`;
}

/** A v2 `yyyyMMddHHmmss` (Beijing) as v3 writes the same instant. */
export function compactToRfc3339(value: string): string {
  const m = COMPACT.exec(value);
  if (!m) throw new Error(`not a yyyyMMddHHmmss time: ${value}`);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`;
}

/** The instant a v2 `yyyyMMddHHmmss` (Beijing) names, in ms since the epoch. */
export function compactToMs(value: string): number {
  const m = COMPACT.exec(value);
  if (!m) throw new Error(`not a yyyyMMddHHmmss time: ${value}`);
  const [ year, month, day, hour, minute, second ] = m.slice(1).map(Number);
  return Date.UTC(year, month - 1, day, hour, minute, second) - BEIJING_OFFSET_MS;
}
