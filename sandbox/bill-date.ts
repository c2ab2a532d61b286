import { beijingDateTime } from './wechat/time';

/**
 * Bill dates: Beijing calendar days. v2 writes them `yyyyMMdd`, v3 and the
 * control calls `YYYY-MM-DD` (WeChat Pay's bill docs); inside the
 * sandbox a day is always `YYYY-MM-DD`.
 */
const V3_FORM = /^(\d{4})-(\d{2})-(\d{2})$/;
const V2_FORM = /^(\d{4})(\d{2})(\d{2})$/;
// WeChat keeps bills for the last three months only.
const MONTHS_KEPT = 3;

/** The Beijing day of an instant, `YYYY-MM-DD`. */
export function beijingDay(ms: number): string {
  return beijingDateTime(ms).slice(0, 10);
}

function calendarDay(match: RegExpExecArray | null): string | undefined {
  if (!match) return undefined;
  const [ year, month, day ] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 02-30 over into March: a day that does not exist comes back different.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return `${match[1]}-${match[2]}-${match[3]}`;
}

/** A `YYYY-MM-DD` that names a real calendar day, or undefined. */
export function calendarDayOf(value: unknown, form: 'v2' | 'v3' = 'v3'): string | undefined {
  if (typeof value !== 'string') return undefined;
  return calendarDay((form === 'v2' ? V2_FORM : V3_FORM).exec(value));
}

/** The earliest day WeChat still has a bill for, seen from `today`. */
function earliestKept(today: string): string {
  const [ year, month, day ] = today.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1 - MONTHS_KEPT, day)).toISOString().slice(0, 10);
}

/**
 * The day a bill request names, when WeChat would answer for it: a real day,
 * not after today (Beijing, on the simulator's clock), not more than three
 * months back. Today is served, from what has happened so far, so that a
 * merchant can reconcile a day in a test without waiting for tomorrow.
 */
export function requestedBillDay(value: unknown, form: 'v2' | 'v3', now: number): string | undefined {
  const day = calendarDayOf(value, form);
  if (!day) return undefined;
  const today = beijingDay(now);
  return day <= today && day >= earliestKept(today) ? day : undefined;
}
