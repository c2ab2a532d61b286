/**
 * Times in the console are Beijing time (UTC+08:00, no daylight saving):
 * the merchant's and WeChat Pay's day, the one the daily bills use,
 * whatever the browser's own time zone.
 */
const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

/** An ISO instant as Beijing time, "2026-11-29 10:00:05"; "—" for none, the text itself when unreadable. */
export function formatBeijing(iso: string | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** The Beijing calendar day of an instant, "YYYY-MM-DD". */
export function beijingDate(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Beijing day before the one of `ms`: the day the schedule reconciles. */
export function previousBeijingDate(ms: number): string {
  return beijingDate(ms - 24 * 3600 * 1000);
}

/** Whether `text` is a real calendar day written YYYY-MM-DD. */
export function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === text;
}

/** A wait in whole seconds as people say it: 45 → "45 seconds", 840 → "14 minutes", 3700 → "62 minutes". */
export function formatWait(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 1) return '1 second';
  if (seconds < 90) return `${Math.ceil(seconds)} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}
