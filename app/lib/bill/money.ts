/**
 * Exact money arithmetic for WeChat Pay bills. Bills write amounts in yuan as
 * decimal text (2 decimals; the fee 5 decimals), while the database keeps fen
 * as integers. Going through floating point (`Number('0.29') * 100` is
 * 28.999999999999996) would make reconciliation report phantom mismatches, so
 * conversions here work on the digits of the text only: the decimal point is
 * removed as text and the remaining digit string, at most 15 digits long, is
 * an exact integer.
 */

// Exactly 2 decimals, as every current-layout bill prints them (`0.01`,
// `1234.50`; samples in test/fixtures/bills). No exponent, spaces, '+',
// leading zeros, thousands separators, bare `.5`, or fewer decimals: a bill
// never writes those, and accepting them would hide a corrupt or re-saved
// file (spreadsheets turn `1234.50` into `1234.5`). At most 13 integer
// digits, so that the fen value (15 digits) is always a safe integer.
const YUAN = /^(-?)(0|[1-9]\d{0,12})\.(\d{2})$/;
// The fee column always has 5 decimals (`0.04000`, `-0.02000`), for the same
// reasons; 10 integer digits keep the unit count a safe integer.
const FEE5 = /^(-?)(0|[1-9]\d{0,9})\.(\d{5})$/;

/** 1 yuan in units of the fee (1/100000 yuan). */
export const FEE5_PER_YUAN = 100_000;

function parseScaled(text: unknown, pattern: RegExp, what: string): number {
  if (typeof text !== 'string') throw new TypeError(`${what} must be a string`);
  const m = pattern.exec(text);
  if (!m) throw new RangeError(`not a ${what}: ${JSON.stringify(text)}`);
  // Integer digits followed by the decimals, as text: at most 15 digits, so
  // Number() of it is exact.
  const magnitude = Number(m[2] + m[3]);
  // -0 would print as "0" but fail deepEqual and Object.is against 0.
  return m[1] === '-' && magnitude !== 0 ? -magnitude : magnitude;
}

function formatScaled(units: number, decimals: number, what: string): string {
  if (!Number.isSafeInteger(units)) throw new RangeError(`${what} must be a safe integer: ${units}`);
  const sign = units < 0 ? '-' : '';
  const digits = String(Math.abs(units)).padStart(decimals + 1, '0');
  return `${sign}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/**
 * Bill yuan text (exactly 2 decimals) as integer fen: `"0.01"` → 1,
 * `"1234.50"` → 123450, `"-0.02"` → -2. Throws RangeError on anything else
 * (`"1234.5"`, `"12"`, `"1.234"`, `"1e3"`, `" 1.00"`, `""`).
 */
export function yuanToFen(text: string): number {
  return parseScaled(text, YUAN, 'yuan amount with 2 decimals');
}

/** Integer fen as yuan text with 2 decimals: 1 → `"0.01"`, -250 → `"-2.50"`. */
export function fenToYuan(fen: number): string {
  return formatScaled(fen, 2, 'fen');
}

/**
 * The bill's 手续费 (exactly 5 decimals of yuan) as an integer count of
 * 1/100000 yuan: `"0.04000"` → 4000, `"-0.02000"` → -2000 (a refund gives
 * the fee back). A safe integer holds about 90 billion yuan of fees.
 */
export function parseFee5(text: string): number {
  return parseScaled(text, FEE5, 'fee amount with 5 decimals');
}

/** 1/100000-yuan units as the bill writes them: 6000 → `"0.06000"`, -2000 → `"-0.02000"`. */
export function formatFee5(units: number): string {
  return formatScaled(units, 5, 'fee');
}

/** a + b for integer amounts; throws rather than leave the range where sums are exact. */
export function addExact(a: number, b: number): number {
  const total = a + b;
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || !Number.isSafeInteger(total)) {
    throw new RangeError(`not an exact integer sum: ${a} + ${b}`);
  }
  return total;
}

/** Exact sum of integer amounts (fen or fee units); throws rather than lose precision. */
export function sumExact(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total = addExact(total, value);
  return total;
}

/** The fee helpers grouped, for callers that prefer `FeeYuan.parse(...)`. */
export const FeeYuan = Object.freeze({
  UNITS_PER_YUAN: FEE5_PER_YUAN,
  parse: parseFee5,
  format: formatFee5,
  sum: sumExact,
});
