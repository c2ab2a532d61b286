/**
 * What the order and payment services need from WeChat Pay, whichever API
 * version speaks it. The v2 and v3 clients (app/service/pay_v2_client.ts,
 * pay_v3_client.ts) both answer in these terms.
 */
import { ApiError } from '../api-error';

/** The WeChat Pay client of one API version (app/service/pay_v2_client.ts, pay_v3_client.ts). */
export interface PayGateway {
  createPrepay(request: PrepayRequest): Promise<string>;
  buildPaymentParams(prepayId: string): RequestPaymentParams;
  queryTrade(orderNo: string): Promise<TradeReport>;
  closeTrade(orderNo: string): Promise<void>;
}

/** The order as WeChat Pay is told about it. */
export interface PrepayRequest {
  orderNo: string;
  amount: number;
  description: string;
  openid: string;
  clientIp: string;
  expiresAt: Date;
}

/** Parameters for wx.requestPayment, exactly as the mini-program passes them. */
export interface RequestPaymentParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: string;
  paySign: string;
}

/** WeChat Pay's trade states, v2 and v3 alike. */
export type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';

/** A payment as WeChat Pay reports it (query answer or verified notify). */
export interface TradeReport {
  orderNo: string;
  state: TradeState | 'NOT_FOUND';
  appId?: string;
  mchId?: string;
  transactionId?: string;
  amount?: number;
  paidAt?: Date;
}

/**
 * An error answered by WeChat Pay. `errCode` is WeChat's own (SYSTEMERROR,
 * ORDERPAID, ORDER_CLOSED, …) so services can act on the ones they expect.
 */
export class WechatPayError extends ApiError {
  constructor(status: number, code: string, message: string, readonly errCode: string, readonly retryable: boolean) {
    super(status, code, message);
  }
}

/** Maps a WeChat Pay error code (v2 err_code or v3 code) to the API error the client sees. */
export function wechatPayError(errCode: string, detail: string): WechatPayError {
  switch (errCode) {
    case 'SYSTEMERROR':
    case 'SYSTEM_ERROR':
    case 'BANKERROR':
    case 'BANK_ERROR':
    case 'FREQUENCY_LIMITED':
    case 'FREQUENCY_LIMIT_EXCEED':
    case 'HTTP_5XX':
    case 'TIMEOUT':
    case 'UNREACHABLE':
      return new WechatPayError(503, 'WECHATPAY_UNAVAILABLE', `WeChat Pay is unavailable, try again (${errCode})`, errCode, true);
    case 'ORDERPAID':
    case 'ORDER_PAID':
      return new WechatPayError(409, 'ORDER_ALREADY_PAID', 'WeChat Pay says the order is already paid', errCode, false);
    case 'ORDERCLOSED':
    case 'ORDER_CLOSED':
      return new WechatPayError(409, 'ORDER_CLOSED', 'WeChat Pay says the order is closed', errCode, false);
    case 'OUT_TRADE_NO_USED':
    case 'OUT_TRADE_NO_USED_ERROR':
      return new WechatPayError(409, 'ORDER_NO_USED', 'WeChat Pay knows this order number with other parameters', errCode, false);
    case 'ORDERNOTEXIST':
    case 'ORDER_NOT_EXIST':
    case 'RESOURCE_NOT_EXISTS':
      return new WechatPayError(404, 'WECHATPAY_ORDER_NOT_FOUND', 'WeChat Pay does not know this order', errCode, false);
    default:
      return new WechatPayError(502, 'WECHATPAY_ERROR', `WeChat Pay refused the request (${errCode}: ${detail})`, errCode, false);
  }
}

const CHINA_OFFSET = '+08:00';

/** v2 `time_end` (yyyyMMddHHmmss, Beijing time) as a Date; undefined when malformed. */
export function parseV2TimeEnd(value: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value ?? '');
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${CHINA_OFFSET}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The facts of a v2 orderquery answer or notify, in the gateway's terms. */
export function v2TradeReport(fields: Record<string, string>, state: TradeState): TradeReport {
  const amount = /^\d+$/.test(fields.total_fee ?? '') ? Number(fields.total_fee) : undefined;
  return {
    orderNo: fields.out_trade_no,
    state,
    appId: fields.appid,
    mchId: fields.mch_id,
    transactionId: fields.transaction_id || undefined,
    amount,
    paidAt: parseV2TimeEnd(fields.time_end),
  };
}

const TRADE_STATES: ReadonlySet<string> = new Set<TradeState>([ 'SUCCESS', 'REFUND', 'NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR' ]);

/** Whether WeChat's trade_state is one the gateway knows. */
export function isTradeState(value: unknown): value is TradeState {
  return typeof value === 'string' && TRADE_STATES.has(value);
}

// RFC 3339 as v3 writes it: seconds, optional fraction, a Z or a ±hh:mm offset.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** v3 time (`2026-11-22T18:00:00+08:00`) as a Date; undefined when malformed. */
export function parseV3Time(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !RFC3339.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A Date as v3 writes times: RFC 3339 in Beijing time, `2026-11-22T18:00:00+08:00`. */
export function formatV3Time(date: Date): string {
  return new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 19) + CHINA_OFFSET;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The facts of a v3 transaction (order query answer or decrypted notify resource), in the gateway's terms. */
export function v3TradeReport(transaction: Record<string, unknown>, state: TradeState): TradeReport {
  const amount = transaction.amount !== null && typeof transaction.amount === 'object'
    ? (transaction.amount as Record<string, unknown>).total
    : undefined;
  return {
    orderNo: nonEmptyString(transaction.out_trade_no) ?? '',
    state,
    appId: nonEmptyString(transaction.appid),
    mchId: nonEmptyString(transaction.mchid),
    transactionId: nonEmptyString(transaction.transaction_id),
    amount: typeof amount === 'number' && Number.isSafeInteger(amount) && amount > 0 ? amount : undefined,
    paidAt: parseV3Time(transaction.success_time),
  };
}
