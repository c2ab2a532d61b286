/**
 * How WeChat's trade bills write money: 元 with 2 decimals for amounts, 元
 * with 5 decimals for the service fee, a rate like `0.60%`. Computed from
 * integers (fen, and 1/100000 元 for the fee) with BigInt, never floats, so
 * that 0.1 + 0.2 never shows up in a bill the merchant reconciles to the fen.
 */

/** 1 fen in the fee's unit (1/100000 元). */
const FEE_UNITS_PER_FEN = 1000n;
/** basis points in a whole (0.60% = 60 bp). */
const BASIS_POINTS = 10000n;

/** An integer scaled by 10^scale as a decimal string: (-1234n, 2) → `-12.34`. */
function scaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

function integerFen(fen: number | bigint): bigint {
  if (typeof fen === 'number' && !Number.isSafeInteger(fen)) throw new RangeError(`not a whole number of fen: ${fen}`);
  return BigInt(fen);
}

/** Fen as 元 with 2 decimals: 1 → `0.01`, 100000000 → `1000000.00`. */
export function yuan(fen: number | bigint): string {
  return scaled(integerFen(fen), 2);
}

/** A fee in 1/100000 元 as 元 with 5 decimals: 6 → `0.00006`, -5940 → `-0.05940`. */
export function feeYuan(units: bigint): string {
  return scaled(units, 5);
}

/**
 * The service fee on an amount, in 1/100000 元: amount × rate rounded half
 * up to the fen, then written in the fee's unit. WeChat charges whole fen:
 * its bills print 5 decimals but real ones end in `000` (a 0.01 or 0.02 元
 * payment at 0.90% shows `0.00000`, 50.00 元 at 0.54% `0.27000`). Always
 * positive here; refund rows carry it negated.
 */
export function feeUnits(fen: number | bigint, rateBasisPoints: number): bigint {
  const amount = integerFen(fen);
  if (amount < 0n) throw new RangeError(`a fee is computed on a positive amount, not ${fen}`);
  const feeFen = (amount * BigInt(rateBasisPoints) + BASIS_POINTS / 2n) / BASIS_POINTS;
  return feeFen * FEE_UNITS_PER_FEN;
}

/** A rate in basis points as bills print it: 60 → `0.60%`. */
export function ratePercent(rateBasisPoints: number): string {
  return `${scaled(BigInt(rateBasisPoints), 2)}%`;
}
