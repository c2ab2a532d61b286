import { randomBytes, randomInt } from 'node:crypto';
import { beijingCompact } from './wechat/time';

function randomDigits(count: number): string {
  let digits = '';
  for (let i = 0; i < count; i++) digits += String(randomInt(10));
  return digits;
}

/** A prepay_id shaped like WeChat's: `wx`, the creation time, 20 hex digits (36 characters). */
export function newPrepayId(ms: number): string {
  return `wx${beijingCompact(ms)}${randomBytes(10).toString('hex')}`;
}

/** A transaction_id shaped like WeChat's: 28 digits, `4200` + 6 digits + yyyyMMdd + 10 digits. */
export function newTransactionId(ms: number): string {
  return `4200${randomDigits(6)}${beijingCompact(ms).slice(0, 8)}${randomDigits(10)}`;
}

/** A refund_id shaped like WeChat's: 29 digits, `50` + 9 digits + yyyyMMdd + 10 digits. */
export function newRefundId(ms: number): string {
  return `50${randomDigits(9)}${beijingCompact(ms).slice(0, 8)}${randomDigits(10)}`;
}

/**
 * The out_refund_no WeChat gives a refund made by hand in the merchant
 * platform, where no merchant system chose one: digits, the time and 10 more.
 */
export function newPlatformRefundNo(ms: number): string {
  return `${beijingCompact(ms)}${randomDigits(10)}`;
}
