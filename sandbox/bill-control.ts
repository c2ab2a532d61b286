import { BILL_MODES, BillDaySettings, BillMode, BillRowKey } from './bill-book';
import { beijingDay, calendarDayOf } from './bill-date';
import { TradeBills } from './bill-generator';
import { json, parseJsonBody, SandboxReply, SandboxRequest } from './http';
import { newPlatformRefundNo, newRefundId, newTransactionId } from './ids';
import { sandboxOpenid } from './login';
import { badRequest, nonEmptyString } from './refund-view';
import { TradeStore } from './trade-store';
import { beijingDateTime } from './wechat/time';
import { BillLine } from './wechat/trade-bill';

/** Under /sandbox/control: the paths with a day in them, served by `BillControl.byPath`. */
export const BILL_CONTROL_PREFIX = '/sandbox/control/bills/';

const ROW_KINDS = [ 'PAYMENT', 'REFUND' ] as const;
type RowKind = typeof ROW_KINDS[number];

// WeChat's alphabets: out_trade_no up to 32, out_refund_no up to 64, ids digits. They also keep
// backticks, commas and line breaks, which would break the bill's format, out of the staged rows.
const ORDER_NO = /^[0-9A-Za-z_\-|*]{1,32}$/;
const REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;
const WECHAT_ID = /^[0-9]{1,32}$/;
const DAY_PATH = /^days\/([^/]+)$/;
const TEXT_PATH = /^([^/]+)$/;

const ROW_USAGE = 'expected { date: "YYYY-MM-DD", kind: PAYMENT|REFUND, orderNo, amount: fen > 0, transactionId?, '
  + 'refundNo?, refundId?, total?: fen >= amount }';
const AMOUNT_USAGE = 'expected { orderNo, amount: fen > 0 } or { refundNo, amount: fen > 0 }';
const DAY_USAGE = `expected PUT /sandbox/control/bills/days/YYYY-MM-DD { mode: ${BILL_MODES.join('|')}, lineEnding?: LF|CRLF, bom?: boolean }`;

// Staged rows are made by nobody's payer: they name the payer the sandbox's payer control uses by default.
const STAGED_PAYER = 'sandbox-payer';
const STAGED_DESCRIPTION = 'Sandbox bill row';
// A staged row of a past day sits at noon; one of today at the time it was staged.
const NOON = '12:00:00';

/** A whole number of fen above zero, or undefined. */
function fen(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** An optional string matching `pattern`: its value, '' when absent, undefined when invalid. */
function optionalMatch(value: unknown, pattern: RegExp): string | undefined {
  if (value === undefined) return '';
  return typeof value === 'string' && pattern.test(value) ? value : undefined;
}

interface RowInput {
  day: string;
  kind: RowKind;
  orderNo: string;
  amount: number;
  total: number;
  transactionId: string;
  refundNo: string;
  refundId: string;
}

function parseRow(input: Record<string, unknown> | undefined): RowInput | undefined {
  const day = calendarDayOf(input?.date);
  const kind = input?.kind as RowKind;
  const orderNo = nonEmptyString(input?.orderNo);
  const amount = fen(input?.amount);
  const total = input?.total === undefined ? amount : fen(input.total);
  const transactionId = optionalMatch(input?.transactionId, WECHAT_ID);
  const refundNo = optionalMatch(input?.refundNo, REFUND_NO);
  const refundId = optionalMatch(input?.refundId, WECHAT_ID);
  if (!day || !ROW_KINDS.includes(kind) || !orderNo || !ORDER_NO.test(orderNo) || amount === undefined
    || total === undefined || total < amount || transactionId === undefined || refundNo === undefined || refundId === undefined) {
    return undefined;
  }
  // Refund numbers on a payment row would say the caller meant something else.
  if (kind === 'PAYMENT' && (refundNo || refundId)) return undefined;
  return { day, kind, orderNo, amount, total, transactionId, refundNo, refundId };
}

/**
 * The control calls over WeChat's side of the bills: rows WeChat has that
 * the merchant's calls never made, amounts a bill reports instead of the
 * real ones, a day's mode (being created, empty, wrong hash), and the text
 * a day's bill would be served with. Everything staged here is forgotten by
 * `DELETE /sandbox/control/bills`.
 */
export class BillControl {
  constructor(
    private readonly merchant: { appId: string; mchId: string },
    private readonly bills: TradeBills,
    private readonly trades: TradeStore,
  ) {}

  /**
   * POST /sandbox/control/bills/rows { date, kind, orderNo, amount, transactionId?, refundNo?, refundId?, total? }
   * A payment row gets a new transaction_id unless one is given (a second
   * payment of a known order is another transaction); a refund row takes
   * the known order's transaction_id, and WeChat-style refund ids, unless
   * given. `total` is the order's total: on a payment row it is 订单金额
   * (代金券金额 makes up the difference with `amount`, 应结订单金额); WeChat's
   * refund rows print no order total, so on a refund row it is only kept.
   */
  addRow(request: SandboxRequest): SandboxReply {
    const input = parseRow(parseJsonBody(request.body));
    if (!input) return badRequest('INVALID_BILL_ROW', ROW_USAGE);
    const now = this.trades.clock();
    const time = input.day === beijingDay(now) ? beijingDateTime(now) : `${input.day} ${NOON}`;
    const at = Date.parse(`${time.replace(' ', 'T')}+08:00`);
    const trade = this.trades.find(input.orderNo);
    const common = {
      time,
      appid: this.merchant.appId,
      mchid: this.merchant.mchId,
      outTradeNo: input.orderNo,
      openid: trade?.openid ?? sandboxOpenid(this.merchant.appId, STAGED_PAYER),
      tradeType: trade?.tradeType ?? 'JSAPI',
      bankType: trade?.bankType ?? 'OTHERS',
      description: trade?.description ?? STAGED_DESCRIPTION,
      attach: trade?.attach ?? '',
    };
    let line: BillLine;
    if (input.kind === 'PAYMENT') {
      line = { kind: 'PAYMENT', ...common, transactionId: input.transactionId || newTransactionId(at), settled: input.amount, total: input.total };
    } else {
      line = {
        kind: 'REFUND',
        ...common,
        transactionId: input.transactionId || trade?.transactionId || newTransactionId(at),
        refundId: input.refundId || newRefundId(at),
        outRefundNo: input.refundNo || newPlatformRefundNo(at),
        refund: input.amount,
        refundStatus: 'PROCESSING',
      };
    }
    this.bills.book.addRow({ day: input.day, line, orderTotal: line.kind === 'REFUND' ? input.total : undefined });
    const refundIds = line.kind === 'REFUND' ? { refundNo: line.outRefundNo, refundId: line.refundId } : {};
    return json(201, {
      row: { date: input.day, kind: input.kind, orderNo: input.orderNo, transactionId: line.transactionId, ...refundIds, amount: input.amount },
    });
  }

  /**
   * POST /sandbox/control/bills/amounts { orderNo, amount } | { refundNo, amount }
   * The payment row of that order, or that refund's row, reports `amount`
   * from now on, on whatever day it falls, staged rows included; the
   * summary follows. A number no row has yet is kept for when one comes.
   */
  setAmount(request: SandboxRequest): SandboxReply {
    const input = parseJsonBody(request.body);
    const orderNo = input?.orderNo;
    const refundNo = input?.refundNo;
    const amount = fen(input?.amount);
    if (amount === undefined || (orderNo === undefined) === (refundNo === undefined)) return badRequest('INVALID_BILL_AMOUNT', AMOUNT_USAGE);
    let key: BillRowKey;
    if (orderNo !== undefined) {
      if (typeof orderNo !== 'string' || !ORDER_NO.test(orderNo)) return badRequest('INVALID_BILL_AMOUNT', AMOUNT_USAGE);
      key = { orderNo };
    } else {
      if (typeof refundNo !== 'string' || !REFUND_NO.test(refundNo)) return badRequest('INVALID_BILL_AMOUNT', AMOUNT_USAGE);
      key = { refundNo };
    }
    this.bills.book.setAmount(key, amount);
    return json(200, { ...key, amount });
  }

  // DELETE /sandbox/control/bills
  reset(): SandboxReply {
    this.bills.book.clear();
    return { status: 204, body: '' };
  }

  /** PUT /sandbox/control/bills/days/:date and GET /sandbox/control/bills/:date. */
  byPath(request: SandboxRequest): SandboxReply {
    const rest = request.path.slice(BILL_CONTROL_PREFIX.length);
    const dayPath = DAY_PATH.exec(rest);
    if (request.method === 'PUT' && dayPath) return this.setDay(dayPath[1], request);
    const textPath = TEXT_PATH.exec(rest);
    if (request.method === 'GET' && textPath) return this.text(textPath[1]);
    return json(404, { code: 'NOT_FOUND', message: `the sandbox has no ${request.method} ${request.path}` });
  }

  /**
   * PUT /sandbox/control/bills/days/:date { mode, lineEnding?, bom? }
   * lineEnding CRLF and bom true serve the text in forms WeChat is not known
   * to use, for parsers that should tolerate them anyway.
   */
  private setDay(date: string, request: SandboxRequest): SandboxReply {
    const day = calendarDayOf(date);
    const input = parseJsonBody(request.body);
    const mode = input?.mode as BillMode;
    const lineEnding = input?.lineEnding;
    const bom = input?.bom;
    if (!day || !BILL_MODES.includes(mode) || (lineEnding !== undefined && lineEnding !== 'LF' && lineEnding !== 'CRLF')
      || (bom !== undefined && typeof bom !== 'boolean')) {
      return badRequest('INVALID_BILL_DAY', DAY_USAGE);
    }
    const settings: BillDaySettings = { mode };
    if (lineEnding === 'CRLF') settings.lineEnding = '\r\n';
    if (bom) settings.bom = true;
    this.bills.book.setDay(day, settings);
    // Echoes the form options only when sent, so the common reply stays { date, mode }.
    return json(200, { date: day, mode, ...(lineEnding !== undefined && { lineEnding }), ...(bom !== undefined && { bom }) });
  }

  // GET /sandbox/control/bills/:date: the text downloadbill and billdownload would serve.
  private text(date: string): SandboxReply {
    const day = calendarDayOf(date);
    if (!day) return badRequest('INVALID_BILL_DAY', 'expected GET /sandbox/control/bills/YYYY-MM-DD');
    const bill = this.bills.served(day);
    if (bill.settings.mode === 'CREATING') return json(409, { code: 'BILL_CREATING', message: `the bill of ${day} is being created` });
    if (bill.text === undefined) {
      const why = bill.settings.mode === 'EMPTY' ? 'its mode is EMPTY' : 'the day has no payment and no refund';
      return json(404, { code: 'NO_BILL', message: `WeChat has no bill for ${day}: ${why}` });
    }
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: bill.text };
  }
}
