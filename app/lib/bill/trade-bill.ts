/**
 * Streaming parser of WeChat Pay's trade bill (the same text for v2
 * /pay/downloadbill and v3 /v3/bill/tradebill; WeChat Pay's trade bill format page, pay.weixin.qq.com/docs/merchant/products/bill-download/format-trade.html). The
 * file is four parts: a detail header line, one line per trade or refund, a
 * summary header line (总交易单数, ...) and one summary line. Every value, in
 * details and summary alike, starts with a backtick; headers have none.
 *
 * Columns are found by their header names, never by position: the ALL (27
 * columns), REFUND (29) and SUCCESS (20) layouts all parse, and WeChat adding
 * a column breaks nothing. The legacy 24-column layout is refused.
 *
 * The parser is fed one line at a time and keeps only the header map and a
 * few counters, never the rows, so that a bill of millions of rows is read in
 * bounded memory (README "Daily bill reconciliation"). Nothing here does
 * I/O or knows about egg.
 */
import { StringDecoder } from 'node:string_decoder';
import { addExact, formatFee5, parseFee5, yuanToFen } from './money';

export type TradeBillErrorCode =
  /** The body is not a bill at all (an XML or JSON error reply, binary data such as undecompressed GZIP). */
  | 'NOT_A_BILL'
  /** The detail header lacks a required column, repeats one, or is not a header. */
  | 'HEADER_INVALID'
  /** The old 24-column layout (总金额, 代金券或立减优惠金额), whose amounts mean other things. */
  | 'LEGACY_LAYOUT'
  /** A detail or summary line has another number of values than its header. */
  | 'COLUMN_COUNT'
  /** A value is malformed: no leading backtick, bad amount, bad time, a refund row without its refund numbers. */
  | 'VALUE_INVALID'
  /** The summary header lacks a required column or repeats one. */
  | 'SUMMARY_INVALID'
  /** The input ended before the summary line. */
  | 'SUMMARY_MISSING'
  /** Something follows the summary line. */
  | 'TRAILING_DATA'
  /** The summary disagrees with the rows (only with `verifyTotals`). */
  | 'TOTALS_MISMATCH'
  /** A line longer than the splitter's bound: not a bill, or a corrupt one. */
  | 'LINE_TOO_LONG';

/** Any problem with a bill's text, with the 1-based line it was found on (0: the input as a whole). */
export class TradeBillError extends Error {
  readonly code: TradeBillErrorCode;
  readonly lineNo: number;

  constructor(code: TradeBillErrorCode, lineNo: number, message: string) {
    super(lineNo > 0 ? `${code} at line ${lineNo}: ${message}` : `${code}: ${message}`);
    this.name = new.target.name;
    this.code = code;
    this.lineNo = lineNo;
  }
}

/** 交易状态: SUCCESS (paid), REFUND (a refund accepted that day), REVOKED; anything new is kept as is. */
// The intersection keeps editor completion for the known values while any string is accepted.
export type TradeBillStatus = 'SUCCESS' | 'REFUND' | 'REVOKED' | (string & {});

/** One detail line. Amounts are integer fen; the fee is also integer 1/100000 yuan. */
export interface TradeBillRow {
  lineNo: number;
  /** 交易时间 (Beijing time read as an instant): payment time, or refund *acceptance* time on REFUND rows. */
  tradeTime: Date;
  appId: string;
  mchId: string;
  /** 特约商户号 ('' when the column is absent; '0' for direct merchants). */
  subMchId: string;
  transactionId: string;
  orderNo: string;
  /** 交易类型 (JSAPI, NATIVE, ...; '' when the column is absent). */
  tradeType: string;
  status: TradeBillStatus;
  /** 应结订单金额 (0 on REFUND rows in every published sample). */
  settledAmount: number;
  /** 订单金额: the order amount to compare with ours (0 on REFUND rows in every published sample). */
  orderAmount: number;
  /** 微信退款单号; '' on payment rows (the bill writes `0`) and in a layout without refund columns. */
  refundId: string;
  /** 商户退款单号; '' on payment rows (the bill writes `0`) and in a layout without refund columns. */
  refundNo: string;
  /** 退款金额 (0 on payment rows and in a layout without refund columns). */
  refundAmount: number;
  /** 申请退款金额, undefined when the column is absent or empty. */
  requestedRefundAmount: number | undefined;
  /** 退款类型 (ORIGINAL, BALANCE, ...; '' on payment rows or when absent). */
  refundType: string;
  /** 退款状态 at acceptance time: the bill never updates it ('' on payment rows). */
  refundStatus: string;
  /** 手续费 as exact 5-decimal yuan text, e.g. `0.04000`; negative on refund rows (the fee given back). */
  fee: string;
  /** 手续费 in 1/100000 yuan: `0.04000` → 4000. */
  fee5: number;
  /** 费率 as written, e.g. `0.60%` ('' when absent). */
  rate: string;
  /** 商品名称 (may contain commas) */
  productName: string;
  /** 商户数据包 (may contain commas) */
  attach: string;
}

/** What the parser counted itself, to compare with what the summary declares. */
export interface TradeBillComputed {
  rows: number;
  successRows: number;
  refundRows: number;
  settledTotal: number;
  orderTotal: number;
  refundTotal: number;
  feeTotal5: number;
}

/** The summary line, read by its header names, plus the parser's own counts. */
export interface TradeBillSummary {
  lineNo: number;
  /** 总交易单数 */
  count: number;
  /** 应结订单总金额, fen */
  settledTotal: number;
  /** 退款总金额, fen (0 when a layout without refund columns omits it) */
  refundTotal: number;
  /** 手续费总金额 in 1/100000 yuan */
  feeTotal5: number;
  /** 手续费总金额 as exact 5-decimal yuan text, e.g. `0.06000`, `-0.02000` */
  feeTotal: string;
  /** 订单总金额, fen (absent from some layouts) */
  orderTotal: number | undefined;
  /** 申请退款总金额, fen */
  requestedRefundTotal: number | undefined;
  /** 充值券退款总金额, fen */
  rechargeRefundTotal: number | undefined;
  computed: TradeBillComputed;
  /**
   * Names of the declared totals that differ from the parser's sums
   * (`count`, `settledTotal`, `refundTotal`, `feeTotal5`, `orderTotal`).
   * Every complete published sample (test/fixtures/bills) has the totals
   * equal to the plain sums of the columns, refund rows included, so a
   * mismatch means a truncated or altered file; it is informational unless
   * `verifyTotals` is set.
   */
  mismatches: string[];
}

export interface TradeBillParserOptions {
  /** Throw TOTALS_MISMATCH at the summary when `mismatches` is not empty. Default false. */
  verifyTotals?: boolean;
}

// Columns a reconciliation cannot do without. Everything else is optional so
// that WeChat adding or reordering columns does not break the parser.
const REQUIRED_COLUMNS = [
  '交易时间', '公众账号ID', '商户号', '微信订单号', '商户订单号', '交易状态', '应结订单金额', '手续费', '订单金额',
] as const;
// The refund columns come as a group: the ALL and REFUND layouts have all of
// them, the SUCCESS layout none. A layout with some of them is not one WeChat
// writes; one without them cannot carry a refund row (refused at the row).
const REFUND_COLUMNS = [ '微信退款单号', '商户退款单号', '退款金额', '退款状态' ] as const;
// Only these optional columns are read; the rest are validated for count only.
const OPTIONAL_COLUMNS = [ '特约商户号', '交易类型', '退款类型', '申请退款金额', '费率', '商品名称', '商户数据包' ] as const;
// Names only the legacy 24-column layout has: there 总金额 is the order total
// including coupons, not the settled amount, so reading it as the new layout
// would silently compare the wrong numbers.
const LEGACY_MARKERS = [ '总金额', '代金券或立减优惠金额' ];

const SUMMARY_FIRST = '总交易单数';
const SUMMARY_REQUIRED = [ SUMMARY_FIRST, '应结订单总金额', '手续费总金额' ] as const;
// Required when the details have refund columns; the 4-column SUCCESS summary
// of the documentation has no 退款总金额.
const SUMMARY_REFUND_TOTAL = '退款总金额';
const SUMMARY_OPTIONAL = [ '订单总金额', '申请退款总金额', '充值券退款总金额' ] as const;

type RequiredColumn = typeof REQUIRED_COLUMNS[number];
type RefundColumn = typeof REFUND_COLUMNS[number];
type OptionalColumn = typeof OPTIONAL_COLUMNS[number];

const STATUS_REFUND = 'REFUND';
const STATUS_SUCCESS = 'SUCCESS';

// yyyy-MM-dd HH:mm:ss. Old documentation printed full-width colons; accepting
// them costs nothing and the value is unambiguous.
const TRADE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2})[:：](\d{2})[:：](\d{2})$/;
const BEIJING_OFFSET_MS = 8 * 3600_000;

/** A bill time (Beijing, UTC+8, no zone written) as a Date; undefined when malformed or impossible (02-30, 24:00). */
export function parseBillTime(text: string): Date | undefined {
  const m = TRADE_TIME.exec(text);
  if (!m) return undefined;
  const [ y, mo, d, h, mi, s ] = m.slice(1).map(Number);
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 02-30 over to 03-02; a round trip catches it.
  const back = new Date(utc);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d ||
    back.getUTCHours() !== h || back.getUTCMinutes() !== mi || back.getUTCSeconds() !== s) return undefined;
  // The fields are Beijing wall-clock time, 8 hours ahead of UTC all year.
  return new Date(utc - BEIJING_OFFSET_MS);
}

/**
 * A backticked line's values. The first backtick is removed and the rest is
 * split on ",`" only: splitting on every comma would cut 商品名称 and
 * 商户数据包, which may contain commas. A line ending in "`" yields a final
 * empty value (费率备注 is often empty). Undefined when the line does not
 * start with a backtick. (A value containing ",`" itself cannot be told apart
 * from two values; the column count then refuses the line rather than
 * misreading it.)
 */
export function splitBillValues(line: string): string[] | undefined {
  if (!line.startsWith('`')) return undefined;
  return line.slice(1).split(',`');
}

function splitHeader(line: string): string[] {
  // Header names never contain commas; stray spaces around them would only
  // make a required column look missing.
  return line.split(',').map(name => name.trim());
}

// C0 controls but tab, and U+FFFD (what StringDecoder makes of bytes that are
// not UTF-8): a header has neither, GZIP bytes (1f 8b ...) or a GBK file have.
// eslint-disable-next-line no-control-regex
const BINARY = /[\u0000-\u0008\u000b-\u001f\ufffd]/;

type State = 'header' | 'details' | 'summary-row' | 'done';

/**
 * Feed it every line of the bill in order (without the line break; a
 * trailing "\r" is tolerated), then call finish(). push() returns the parsed
 * row for detail lines and undefined for the rest. Empty lines are skipped.
 * After a TradeBillError the parser must not be used further.
 */
export class TradeBillParser {
  private readonly verifyTotals: boolean;
  private state: State = 'header';
  private lineNo = 0;
  private width = 0;
  private required: Record<RequiredColumn, number> | undefined;
  private refund: Record<RefundColumn, number> | undefined;
  private optional: Partial<Record<OptionalColumn, number>> = {};
  private summaryHeader: string[] = [];
  private summary: TradeBillSummary | undefined;
  private readonly computed: TradeBillComputed = {
    rows: 0, successRows: 0, refundRows: 0, settledTotal: 0, orderTotal: 0, refundTotal: 0, feeTotal5: 0,
  };

  constructor(options: TradeBillParserOptions = {}) {
    this.verifyTotals = options.verifyTotals ?? false;
  }

  /** The number of lines pushed so far (the 1-based number of the last one). */
  get linesRead(): number {
    return this.lineNo;
  }

  push(rawLine: string): TradeBillRow | undefined {
    this.lineNo++;
    let line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    // Real bills start with a UTF-8 BOM (the dax-pay sample in
    // test/fixtures/bills); left in place it would hide 交易时间.
    if (this.lineNo === 1 && line.startsWith('\uFEFF')) line = line.slice(1);
    if (line.length === 0) return undefined;
    switch (this.state) {
      case 'header':
        this.readHeader(line);
        return undefined;
      case 'details':
        if (!line.startsWith('`') && splitHeader(line).includes(SUMMARY_FIRST)) {
          this.summaryHeader = this.readSummaryHeader(line);
          this.state = 'summary-row';
          return undefined;
        }
        return this.readRow(line);
      case 'summary-row':
        this.summary = this.readSummary(line);
        this.state = 'done';
        return undefined;
      default:
        throw this.error('TRAILING_DATA', 'a non-empty line after the summary');
    }
  }

  /** The summary; throws SUMMARY_MISSING when the input ended before it. */
  finish(): TradeBillSummary {
    if (this.summary) return this.summary;
    const where = this.state === 'header' ? 'the input is empty' :
      this.state === 'details' ? 'no 总交易单数 summary header after the detail lines' :
        'the summary header has no summary line after it';
    // Line 0: the problem is the end of the input, not one of its lines.
    throw new TradeBillError('SUMMARY_MISSING', 0, `${where} (truncated bill?)`);
  }

  private error(code: TradeBillErrorCode, message: string): TradeBillError {
    return new TradeBillError(code, this.lineNo, message);
  }

  private readHeader(line: string): void {
    const start = line.trimStart();
    // v2 answers errors as XML (even when GZIP was asked), v3 as JSON.
    if (start.startsWith('<') || start.startsWith('{')) {
      throw this.error('NOT_A_BILL', `an error reply or markup, not a bill: ${start.slice(0, 120)}`);
    }
    if (BINARY.test(line)) throw this.error('NOT_A_BILL', 'binary or non-UTF-8 data (GZIP not decompressed?)');
    if (line.startsWith('`')) throw this.error('HEADER_INVALID', 'the first line is a value line, not the detail header');
    const names = splitHeader(line);
    const index = new Map<string, number>();
    names.forEach((name, i) => {
      if (index.has(name)) throw this.error('HEADER_INVALID', `column ${name} appears twice`);
      index.set(name, i);
    });
    if (!index.has('应结订单金额') && LEGACY_MARKERS.some(name => index.has(name))) {
      throw this.error('LEGACY_LAYOUT', `the legacy ${names.length}-column layout (总金额, 代金券或立减优惠金额) is not supported; ` +
        'its amounts differ from the current layout (应结订单金额, 订单金额)');
    }
    if (!index.has('交易时间')) throw this.error('NOT_A_BILL', `the first line is not a bill header: ${line.slice(0, 120)}`);
    const missing = REQUIRED_COLUMNS.filter(name => !index.has(name));
    if (missing.length > 0) throw this.error('HEADER_INVALID', `the detail header lacks ${missing.join(', ')}`);
    this.required = Object.fromEntries(REQUIRED_COLUMNS.map(name => [ name, index.get(name)! ])) as Record<RequiredColumn, number>;
    const refundPresent = REFUND_COLUMNS.filter(name => index.has(name));
    if (refundPresent.length === REFUND_COLUMNS.length) {
      this.refund = Object.fromEntries(REFUND_COLUMNS.map(name => [ name, index.get(name)! ])) as Record<RefundColumn, number>;
    } else if (refundPresent.length > 0) {
      throw this.error('HEADER_INVALID', `the detail header has ${refundPresent.join(', ')} but lacks ` +
        REFUND_COLUMNS.filter(name => !index.has(name)).join(', '));
    }
    for (const name of OPTIONAL_COLUMNS) {
      const i = index.get(name);
      if (i !== undefined) this.optional[name] = i;
    }
    this.width = names.length;
    this.state = 'details';
  }

  private values(line: string, width: number, what: string): string[] {
    const values = splitBillValues(line);
    if (!values) throw this.error('VALUE_INVALID', `a ${what} line must start with a backtick`);
    if (values.length !== width) throw this.error('COLUMN_COUNT', `${values.length} values in a ${what} line, its header has ${width}`);
    return values;
  }

  private fen(text: string, column: string): number {
    try {
      return yuanToFen(text);
    } catch {
      throw this.error('VALUE_INVALID', `${column} is not an amount in yuan with 2 decimals: ${JSON.stringify(text)}`);
    }
  }

  private fee5(text: string, column: string): number {
    try {
      return parseFee5(text);
    } catch {
      throw this.error('VALUE_INVALID', `${column} is not a fee in yuan with 5 decimals: ${JSON.stringify(text)}`);
    }
  }

  private readRow(line: string): TradeBillRow {
    const v = this.values(line, this.width, 'detail');
    const col = this.required!;
    const opt = (name: OptionalColumn): string => {
      const i = this.optional[name];
      return i === undefined ? '' : v[i];
    };
    const timeText = v[col.交易时间];
    const tradeTime = parseBillTime(timeText);
    if (!tradeTime) throw this.error('VALUE_INVALID', `交易时间 is not yyyy-MM-dd HH:mm:ss: ${JSON.stringify(timeText)}`);
    const status = v[col.交易状态];
    // Payment rows write `0` where there is no refund number; '' is what callers test.
    const noneIfZero = (text: string): string => (text === '0' ? '' : text);
    const r = this.refund;
    const refundId = r ? noneIfZero(v[r.微信退款单号]) : '';
    const refundNo = r ? noneIfZero(v[r.商户退款单号]) : '';
    // A refund row is matched to our refund by these numbers: without them
    // the row could only be reported, never reconciled.
    if (status === STATUS_REFUND && (refundId === '' || refundNo === '')) {
      throw this.error('VALUE_INVALID', r ? 'a REFUND row without 微信退款单号 or 商户退款单号' :
        'a REFUND row in a layout without refund columns');
    }
    const requested = opt('申请退款金额');
    const feeText = v[col.手续费];
    const fee5 = this.fee5(feeText, '手续费');
    const row: TradeBillRow = {
      lineNo: this.lineNo,
      tradeTime,
      appId: v[col.公众账号ID],
      mchId: v[col.商户号],
      subMchId: opt('特约商户号'),
      transactionId: v[col.微信订单号],
      orderNo: v[col.商户订单号],
      tradeType: opt('交易类型'),
      status,
      settledAmount: this.fen(v[col.应结订单金额], '应结订单金额'),
      orderAmount: this.fen(v[col.订单金额], '订单金额'),
      refundId,
      refundNo,
      refundAmount: r ? this.fen(v[r.退款金额], '退款金额') : 0,
      requestedRefundAmount: requested === '' ? undefined : this.fen(requested, '申请退款金额'),
      refundType: opt('退款类型'),
      refundStatus: r ? v[r.退款状态] : '',
      // Re-formatted from the units so that `-0.00000` reads `0.00000`.
      fee: formatFee5(fee5),
      fee5,
      rate: opt('费率'),
      productName: opt('商品名称'),
      attach: opt('商户数据包'),
    };
    this.count(row);
    return row;
  }

  private count(row: TradeBillRow): void {
    const c = this.computed;
    try {
      c.settledTotal = addExact(c.settledTotal, row.settledAmount);
      c.orderTotal = addExact(c.orderTotal, row.orderAmount);
      c.refundTotal = addExact(c.refundTotal, row.refundAmount);
      c.feeTotal5 = addExact(c.feeTotal5, row.fee5);
    } catch {
      // Unreachable with real amounts (9e15 fen); a sum leaving the exact
      // range would make every later comparison wrong, so stop instead.
      throw this.error('VALUE_INVALID', 'the running totals left the exact integer range');
    }
    c.rows++;
    if (row.status === STATUS_SUCCESS) c.successRows++;
    else if (row.status === STATUS_REFUND) c.refundRows++;
  }

  private readSummaryHeader(line: string): string[] {
    const names = splitHeader(line);
    if (new Set(names).size !== names.length) throw this.error('SUMMARY_INVALID', 'the summary header repeats a column');
    const required: string[] = [ ...SUMMARY_REQUIRED ];
    if (this.refund) required.push(SUMMARY_REFUND_TOTAL);
    const missing = required.filter(name => !names.includes(name));
    if (missing.length > 0) throw this.error('SUMMARY_INVALID', `the summary header lacks ${missing.join(', ')}`);
    return names;
  }

  private readSummary(line: string): TradeBillSummary {
    const values = this.values(line, this.summaryHeader.length, 'summary');
    const byName = new Map(this.summaryHeader.map((name, i) => [ name, values[i] ]));
    const countText = byName.get(SUMMARY_FIRST)!;
    if (!/^(0|[1-9]\d{0,14})$/.test(countText)) throw this.error('VALUE_INVALID', `总交易单数 is not a count: ${JSON.stringify(countText)}`);
    const optionalFen = (name: string): number | undefined => {
      const text = byName.get(name);
      return text === undefined || text === '' ? undefined : this.fen(text, name);
    };
    const feeTotal5 = this.fee5(byName.get('手续费总金额')!, '手续费总金额');
    const summary: TradeBillSummary = {
      lineNo: this.lineNo,
      count: Number(countText),
      settledTotal: this.fen(byName.get('应结订单总金额')!, '应结订单总金额'),
      // Absent only from a summary whose details have no refund columns (checked at its header).
      refundTotal: optionalFen(SUMMARY_REFUND_TOTAL) ?? 0,
      feeTotal5,
      feeTotal: formatFee5(feeTotal5),
      orderTotal: optionalFen(SUMMARY_OPTIONAL[0]),
      requestedRefundTotal: optionalFen(SUMMARY_OPTIONAL[1]),
      rechargeRefundTotal: optionalFen(SUMMARY_OPTIONAL[2]),
      computed: { ...this.computed },
      mismatches: [],
    };
    const c = this.computed;
    if (summary.count !== c.rows) summary.mismatches.push('count');
    if (summary.settledTotal !== c.settledTotal) summary.mismatches.push('settledTotal');
    if (summary.refundTotal !== c.refundTotal) summary.mismatches.push('refundTotal');
    if (summary.feeTotal5 !== c.feeTotal5) summary.mismatches.push('feeTotal5');
    if (summary.orderTotal !== undefined && summary.orderTotal !== c.orderTotal) summary.mismatches.push('orderTotal');
    if (this.verifyTotals && summary.mismatches.length > 0) {
      throw this.error('TOTALS_MISMATCH', `the summary disagrees with the ${c.rows} rows on ${summary.mismatches.join(', ')}`);
    }
    return summary;
  }
}

/** The default bound of splitLines: far above any real bill line (~27 short fields + 商品名称 + 商户数据包). */
export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

export type BillChunk = Buffer | Uint8Array | string;
export type BillSource = AsyncIterable<BillChunk> | Iterable<BillChunk>;

/**
 * Lines of a byte or text stream (a Readable, a gunzip stream, an array of
 * chunks), without their "\n" or "\r\n". UTF-8 characters cut across chunk
 * boundaries are reassembled by StringDecoder. Memory is bounded by one chunk
 * plus one line: a line longer than `maxLineLength` characters throws
 * LINE_TOO_LONG instead of growing without limit (a wrong file, e.g. binary
 * gzip not decompressed, may have no line breaks at all).
 */
export async function* splitLines(
  source: BillSource,
  options: { maxLineLength?: number } = {},
): AsyncGenerator<string, void, undefined> {
  const max = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const decoder = new StringDecoder('utf8');
  // The start of the current line, seen in earlier chunks.
  let carry = '';
  let lineNo = 0;
  const tooLong = () => new TradeBillError('LINE_TOO_LONG', lineNo + 1, `a line longer than ${max} characters`);
  const withoutCr = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);
  for await (const chunk of source) {
    // Strings go through the decoder too: passed around it, a string after a
    // Buffer ending mid-character would overtake the bytes the decoder holds.
    const text = decoder.write(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    let start = 0;
    let end: number;
    // Only the new text is searched, so that tiny chunks do not rescan a long carry.
    while ((end = text.indexOf('\n', start)) !== -1) {
      const line = withoutCr(carry + text.slice(start, end));
      carry = '';
      if (line.length > max) throw tooLong();
      lineNo++;
      yield line;
      start = end + 1;
    }
    carry += text.slice(start);
    // +1: the line's "\r" may be in the carry, its "\n" not yet read.
    if (carry.length > max + 1) throw tooLong();
  }
  const rest = withoutCr(carry + decoder.end());
  if (rest.length > max) throw tooLong();
  if (rest.length > 0) yield rest;
}

/**
 * The rows of a bill given as lines; the generator's return value is the
 * summary (for-await loops drop it: use readTradeBill to get both).
 */
export async function* parseTradeBillLines(
  lines: AsyncIterable<string> | Iterable<string>,
  options: TradeBillParserOptions = {},
): AsyncGenerator<TradeBillRow, TradeBillSummary, undefined> {
  const parser = new TradeBillParser(options);
  for await (const line of lines) {
    const row = parser.push(line);
    if (row) yield row;
  }
  return parser.finish();
}

/**
 * Parses a whole bill from bytes or text chunks, handing each row to `onRow`
 * (awaited, so a slow consumer such as a database applies backpressure), and
 * resolves to the summary. Rejects with a TradeBillError for a bad bill, or
 * with whatever onRow threw; either way the source is no longer read (its
 * iterator's return() is called, which closes a stream).
 */
export async function readTradeBill(
  source: BillSource,
  onRow: (row: TradeBillRow) => void | Promise<void>,
  options: TradeBillParserOptions & { maxLineLength?: number } = {},
): Promise<TradeBillSummary> {
  const parser = new TradeBillParser(options);
  for await (const line of splitLines(source, options)) {
    const row = parser.push(line);
    if (row) await onRow(row);
  }
  return parser.finish();
}
