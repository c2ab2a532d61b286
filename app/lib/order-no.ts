import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** WeChat Pay's out_trade_no: at most 32 characters of [0-9A-Za-z_-|*]. */
export const ORDER_NO_PATTERN = /^[0-9A-Za-z_\-|*]{1,32}$/;

/**
 * A new order number: UTC time to the second (sortable, readable in support
 * calls) and 12 random characters (36^12 ≈ 4.7e18 per second), 26 characters.
 * The unique key on orders.order_no is the final guard.
 */
export function createOrderNo(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  let suffix = '';
  for (let i = 0; i < 12; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return stamp + suffix;
}

/** Whether a string can be one of our order numbers (checked before any lookup). */
export function isOrderNo(value: unknown): value is string {
  return typeof value === 'string' && ORDER_NO_PATTERN.test(value);
}
