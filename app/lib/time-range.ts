import { InvalidRequestError } from './api-error';

/**
 * `from`/`to` bounds of a listing, as ISO 8601 dates (`2026-11-29`) or date-times
 * (`2026-11-29T10:00`, `…T10:00:05`, `…T10:00:05.250`, each optionally with `Z`
 * or an offset such as `+08:00`; a `+` in a query string must be sent as %2B).
 *
 * Decisions where the contract is silent:
 * - A date, or a date-time without an offset, is Beijing time (UTC+08:00):
 *   the merchant's and WeChat Pay's day, the one the daily bills use.
 * - `from` is inclusive. `to` is inclusive at its own precision: a date takes
 *   in that whole day, a time to the minute that whole minute, to the second
 *   that whole second; so `from=2026-11-29&to=2026-11-29` is that one day.
 * The result is a half-open range [from, before).
 */
export interface TimeRange {
  from?: Date;
  before?: Date;
}

const BEIJING_OFFSET_MINUTES = 8 * 60;
const PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;

interface Instant {
  start: number;
  /** length of the unit the value names (a day, a minute, a second, a millisecond), ms */
  unit: number;
}

/** Parses one bound; null when it is not a real date or time in the accepted forms. */
export function parseInstant(value: string): Instant | null {
  const m = PATTERN.exec(value);
  if (!m) return null;
  const [ , y, mo, d, h, mi, s, frac, zone ] = m;
  const fields = [ Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0) ];
  const millis = frac ? Number(frac.padEnd(3, '0')) : 0;
  const local = Date.UTC(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], millis);
  // Date.UTC rolls 2026-02-30 over into March, 24:00 into the next day: a real date reads back the same.
  const back = new Date(local);
  if (back.getUTCFullYear() !== fields[0] || back.getUTCMonth() !== fields[1] || back.getUTCDate() !== fields[2]
    || back.getUTCHours() !== fields[3] || back.getUTCMinutes() !== fields[4] || back.getUTCSeconds() !== fields[5]) {
    return null;
  }
  const offset = zoneOffsetMinutes(zone);
  if (offset === null) return null;
  const unit = h === undefined ? 86_400_000 : s === undefined ? 60_000 : frac === undefined ? 1000 : 1;
  return { start: local - offset * 60_000, unit };
}

function zoneOffsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined) return BEIJING_OFFSET_MINUTES;
  if (zone === 'Z') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 14 || minutes > 59) return null;
  return (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/** `?from=&to=` as a half-open range; 400 for a malformed bound or one that ends before it starts. */
export function parseTimeRange(from: unknown, to: unknown): TimeRange {
  const range: TimeRange = {};
  const read = (name: string, raw: unknown): Instant | undefined => {
    if (raw === undefined || raw === '') return undefined;
    const instant = typeof raw === 'string' ? parseInstant(raw) : null;
    if (!instant) {
      throw new InvalidRequestError('INVALID_DATE',
        `${name} must be an ISO date (2026-11-29) or date-time (2026-11-29T10:00:00, optionally with Z or an offset sent as %2B08:00)`);
    }
    return instant;
  };
  const start = read('from', from);
  const end = read('to', to);
  if (start) range.from = new Date(start.start);
  if (end) range.before = new Date(end.start + end.unit);
  if (range.from && range.before && range.from >= range.before) {
    throw new InvalidRequestError('INVALID_DATE_RANGE', 'from must not be after to');
  }
  return range;
}
