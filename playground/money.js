'use strict';

/**
 * Money is an integer number of fen everywhere, as on the server: yuan are
 * only ever a display of it, made with integer arithmetic (no floats).
 */

/** 2600 → "26.00", 5 → "0.05", -120 → "-1.20". */
export function yuan(fen) {
  if (!Number.isSafeInteger(fen)) throw new TypeError(`an amount of fen must be an integer, got ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** "¥26.00" */
export function price(fen) {
  return `¥${yuan(fen)}`;
}

/** The total of `[{ price, quantity }]` lines, in fen. */
export function total(lines) {
  return lines.reduce((sum, line) => sum + line.price * line.quantity, 0);
}
