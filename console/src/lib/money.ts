/**
 * Money in the console: the API speaks integer fen, people read and type
 * yuan. Both ways go through the digits as text, never through a float
 * (0.1 + 0.2 is not 0.3, and 12.3 * 100 is 1230.0000000000002).
 */

/** Groups the digits of a whole number by thousands: "1234567" → "1,234,567". */
function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Fen (an integer) as yuan with two decimals and thousands separators: 123456 → "1,234.56", -5 → "-0.05". */
export function formatFen(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`not a whole number of fen: ${fen}`);
  const negative = fen < 0;
  const digits = String(negative ? -fen : fen).padStart(3, '0');
  const text = `${groupThousands(digits.slice(0, -2))}.${digits.slice(-2)}`;
  return negative ? `-${text}` : text;
}

/** Fen as a price: "¥1,234.56"; "—" for a missing amount. */
export function formatYuan(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return '—';
  const text = formatFen(fen);
  return text.startsWith('-') ? `-¥${text.slice(1)}` : `¥${text}`;
}

/**
 * An exact decimal string of yuan as the API gives it (a bill's fee total,
 * "1234.06000") with thousands separators and every decimal kept:
 * "¥1,234.06000". Anything that is not a plain decimal is shown as it is.
 */
export function formatYuanDecimal(text: string | null | undefined): string {
  if (text === null || text === undefined || text === '') return '—';
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return text;
  const [ , sign, whole, fraction ] = m;
  const digits = whole.replace(/^0+(?=\d)/, '');
  return `${sign}¥${groupThousands(digits)}${fraction === undefined ? '' : `.${fraction}`}`;
}

export type YuanParse = { ok: true; fen: number } | { ok: false; error: string };

// WeChat Pay amounts are 32-bit integers of fen.
const MAX_FEN = 2 ** 31 - 1;

/**
 * A yuan amount as typed ("12.3", "12.30", "1,234.5", "¥12") → fen (1230).
 * Refuses negatives, more than two decimals, and anything else that is not
 * a plain amount; zero is a valid amount here (a form may ask for more).
 */
export function parseYuan(input: string): YuanParse {
  let text = input.trim().replace(/^[¥￥]\s*/, '');
  if (text === '') return { ok: false, error: 'Enter an amount in yuan.' };
  if (text.startsWith('-')) return { ok: false, error: 'The amount cannot be negative.' };
  // thousands separators, only where they belong: 1,234,567.89
  if (text.includes(',')) {
    if (!/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(text)) return { ok: false, error: 'That is not an amount in yuan (e.g. 12.30).' };
    text = text.replace(/,/g, '');
  }
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) return { ok: false, error: 'That is not an amount in yuan (e.g. 12.30).' };
  const whole = m[1] === '' ? '0' : m[1];
  const fraction = m[2] ?? '';
  if (fraction.length > 2) return { ok: false, error: 'Use at most two decimals (fen).' };
  const wholeDigits = whole.replace(/^0+(?=\d)/, '');
  if (wholeDigits.length > 8) return { ok: false, error: 'That amount is too large.' };
  const fen = Number(wholeDigits) * 100 + Number(fraction.padEnd(2, '0'));
  if (fen > MAX_FEN) return { ok: false, error: 'That amount is too large.' };
  return { ok: true, fen };
}

/** Fen as the plain text a yuan input starts with: 4200 → "42.00" (no separators, no sign). */
export function fenToInput(fen: number): string {
  return formatFen(fen).replace(/,/g, '');
}
