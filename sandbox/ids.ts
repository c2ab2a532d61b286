import { randomBytes, randomInt } from 'node:crypto';

// WeChat Pay writes times in China Standard Time, UTC+8 all year (China has no DST).
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

function randomDigits(count: number): string {
  let digits = '';
  for (let i = 0; i < count; i++) digits += String(randomInt(10));
  return digits;
}

/** `yyyyMMddHHmmss` in Asia/Shanghai: the format of v2 time fields such as time_end. */
export function shanghaiTimestamp(ms: number): string {
  const t = new Date(ms + SHANGHAI_OFFSET_MS);
  return `${pad(t.getUTCFullYear(), 4)}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}`
    + `${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}`;
}

/** A prepay_id shaped like WeChat's: `wx`, the creation time, 20 hex digits (36 characters). */
export function newPrepayId(ms: number): string {
  return `wx${shanghaiTimestamp(ms)}${randomBytes(10).toString('hex')}`;
}

/** A transaction_id shaped like WeChat's: 28 digits, `4200` + 6 digits + yyyyMMdd + 10 digits. */
export function newTransactionId(ms: number): string {
  return `4200${randomDigits(6)}${shanghaiTimestamp(ms).slice(0, 8)}${randomDigits(10)}`;
}
