/**
 * What the order and payment services need from WeChat Pay, whichever API
 * version speaks it. The v2 and v3 clients (app/service/pay_v2_client.ts,
 * pay_v3_client.ts) both answer in these terms.
 */
import type { RefundReport, RefundRequest } from './refund';
import { parseV2Time, parseV3Time } from './time';

/** The WeChat Pay client of one API version (app/service/pay_v2_client.ts, pay_v3_client.ts). */
export interface PayGateway {
  createPrepay(request: PrepayRequest): Promise<string>;
  buildPaymentParams(prepayId: string): RequestPaymentParams;
  queryTrade(orderNo: string): Promise<TradeReport>;
  closeTrade(orderNo: string): Promise<void>;
  /** Applies for a refund; answers WeChat's view of it once accepted (usually PROCESSING). */
  refund(request: RefundRequest): Promise<RefundReport>;
  /** WeChat's view of a refund, or NOT_FOUND when it never accepted one by that number. */
  queryRefund(refundNo: string): Promise<RefundReport | 'NOT_FOUND'>;
  /**
   * Downloads the ALL trade bill of a Beijing day (`YYYY-MM-DD`) into `file`
   * (streamed: a bill may hold a million rows). READY means the file holds a
   * bill WeChat vouched for (v3: its SHA1 matched the signed hash_value);
   * an integrity failure throws (code BILL_HASH_MISMATCH).
   */
  downloadTradeBill(date: string, file: string): Promise<TradeBillDownload>;
}

/**
 * What a bill download came to: the bill in the file (gzip or plain text, as
 * its first bytes said), no bill for that day (no trade and no refund), or a
 * bill WeChat is still creating (ask again later).
 */
export type TradeBillDownload =
  | { state: 'READY'; gzip: boolean }
  | { state: 'EMPTY' }
  | { state: 'CREATING' };

/** gzip's magic number: a v2 success is raw gzip bytes, a v2 failure plain XML even when GZIP was asked. */
export function isGzipMagic(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
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
    paidAt: parseV2Time(fields.time_end),
  };
}

const TRADE_STATES: ReadonlySet<string> = new Set<TradeState>([ 'SUCCESS', 'REFUND', 'NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR' ]);

/** Whether WeChat's trade_state is one the gateway knows. */
export function isTradeState(value: unknown): value is TradeState {
  return typeof value === 'string' && TRADE_STATES.has(value);
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
