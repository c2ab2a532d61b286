/**
 * Refunds as WeChat Pay reports them (apply answer, query answer or verified
 * notify), in the same terms for v2 and v3.
 */
import { parseV3Time } from './time';

/** WeChat's refund states, named as v3 names them (v2's REFUNDCLOSE is CLOSED, CHANGE is ABNORMAL). */
export type WechatRefundState = 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL';

export interface RefundReport {
  refundNo: string;
  /** WeChat's refund_id */
  refundId?: string;
  orderNo?: string;
  transactionId?: string;
  /** the original order's (transaction's) total, fen */
  total?: number;
  /** this refund's amount, fen */
  amount?: number;
  state: WechatRefundState;
  succeededAt?: Date;
  appId?: string;
  mchId?: string;
  /** `API` or `VENDOR_PLATFORM` (made by hand in the merchant platform), when WeChat says */
  requestSource?: string;
}

/** What the service asks WeChat Pay to refund. */
export interface RefundRequest {
  refundNo: string;
  transactionId: string;
  /** the original transaction's total, fen: WeChat wants it on every partial refund */
  total: number;
  amount: number;
  reason?: string | null;
  notifyUrl: string;
}

const V2_STATES: Record<string, WechatRefundState> = {
  PROCESSING: 'PROCESSING',
  SUCCESS: 'SUCCESS',
  REFUNDCLOSE: 'CLOSED',
  CHANGE: 'ABNORMAL',
};
const V3_STATES: ReadonlySet<string> = new Set([ 'PROCESSING', 'SUCCESS', 'CLOSED', 'ABNORMAL' ]);

/** A v2 refund_status (SUCCESS, REFUNDCLOSE, PROCESSING, CHANGE) in our terms; undefined for anything else. */
export function v2RefundState(value: unknown): WechatRefundState | undefined {
  return typeof value === 'string' ? V2_STATES[value] : undefined;
}

/** A v3 refund status in our terms; undefined for anything else. */
export function v3RefundState(value: unknown): WechatRefundState | undefined {
  return typeof value === 'string' && V3_STATES.has(value) ? value as WechatRefundState : undefined;
}

const FEN = /^(0|[1-9]\d{0,9})$/;

/** A v2 amount field (decimal fen) as a number; undefined when malformed. */
export function v2Fen(value: string | undefined): number | undefined {
  return value !== undefined && FEN.test(value) ? Number(value) : undefined;
}

/** v2 refund times are `yyyy-MM-dd HH:mm:ss` in Beijing time. */
export function parseV2RefundTime(value: string | undefined): Date | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(value ?? '');
  return m ? parseV3Time(`${m[1]}T${m[2]}+08:00`) : undefined;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function fen(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** The facts of a v3 Refund object (apply or query answer, decrypted notify resource). */
export function v3RefundReport(refund: Record<string, unknown>, state: WechatRefundState): RefundReport {
  const amount = refund.amount !== null && typeof refund.amount === 'object' ? refund.amount as Record<string, unknown> : {};
  return {
    refundNo: nonEmpty(refund.out_refund_no) ?? '',
    refundId: nonEmpty(refund.refund_id),
    orderNo: nonEmpty(refund.out_trade_no),
    transactionId: nonEmpty(refund.transaction_id),
    total: fen(amount.total),
    amount: fen(amount.refund),
    state,
    succeededAt: parseV3Time(refund.success_time),
    mchId: nonEmpty(refund.mchid),
  };
}
