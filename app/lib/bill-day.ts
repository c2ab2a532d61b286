/**
 * Bill days: Beijing calendar days (UTC+8, no daylight saving), the days
 * WeChat Pay's trade bills are cut on. Written `YYYY-MM-DD` in our API and in
 * v3 requests, `yyyyMMdd` in v2 requests (WeChat Pay's bill docs).
 */
import { InvalidRequestError } from './api-error';

const BEIJING_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const CLOCK_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Whether `value` is a `YYYY-MM-DD` naming a real calendar day (not 2026-02-30). */
export function isBillDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DAY_PATTERN.exec(value);
  if (!m) return false;
  const [ year, month, day ] = m.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls a day that does not exist over into the next month: it reads back different.
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A `:date` path parameter: a real `YYYY-MM-DD` day, else 400 DATE_INVALID. */
export function parseBillDateParam(value: unknown): string {
  if (!isBillDate(value)) throw new InvalidRequestError('DATE_INVALID', 'the date must be a real day written YYYY-MM-DD (Beijing)');
  return value;
}

/** The Beijing day of an instant, `YYYY-MM-DD`. */
export function beijingDateOf(instant: Date): string {
  return new Date(instant.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Beijing day before the one `instant` falls on. */
export function previousBeijingDate(instant: Date): string {
  return beijingDateOf(new Date(instant.getTime() - DAY_MS));
}

/** The instants a Beijing day covers, as a half-open range [start, end). */
export function beijingDayBounds(date: string): { start: Date; end: Date } {
  if (!isBillDate(date)) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  const start = Date.parse(`${date}T00:00:00.000Z`) - BEIJING_OFFSET_MS;
  return { start: new Date(start), end: new Date(start + DAY_MS) };
}

/** v2's form of a bill date: `2026-11-29` → `20261129`. */
export function v2BillDate(date: string): string {
  return date.replace(/-/g, '');
}

/** Whether `value` is an `HH:MM` time of day (00:00 to 23:59). */
export function isClockTime(value: unknown): value is string {
  return typeof value === 'string' && CLOCK_PATTERN.test(value);
}

/** Minutes since Beijing midnight of an `HH:MM` time of day. */
export function clockMinutes(value: string): number {
  const m = CLOCK_PATTERN.exec(value);
  if (!m) throw new RangeError(`not an HH:MM time: ${JSON.stringify(value)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Whether the Beijing time of day of `instant` is at or after `HH:MM`. */
export function isBeijingTimeReached(instant: Date, clock: string): boolean {
  const sinceMidnight = Math.floor(((instant.getTime() + BEIJING_OFFSET_MS) % DAY_MS) / 60_000);
  return sinceMidnight >= clockMinutes(clock);
}
