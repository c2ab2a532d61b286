import { RefundReport, v3RefundReport, v3RefundState } from './refund';
import { openV3Notify, RejectedV3Notify, reject, V3NotifyInput } from './v3-notify';

/** The refund events this service acts on. */
export const REFUND_EVENT_TYPES = [ 'REFUND.SUCCESS', 'REFUND.ABNORMAL', 'REFUND.CLOSED' ] as const;

export interface VerifiedV3RefundNotify {
  ok: true;
  report: RefundReport & { transactionId: string; orderNo: string; total: number; amount: number };
}

/**
 * Checks a v3 refund notify: the envelope (signature, REFUND.* event,
 * AES-256-GCM resource of original type `refund`), then the refund is our
 * merchant's and carries the numbers and amounts we match it by. v3 refund
 * resources name no appid. Pure.
 */
export function verifyV3RefundNotify(input: Omit<V3NotifyInput, 'appId'>): VerifiedV3RefundNotify | RejectedV3Notify {
  const opened = openV3Notify({ ...input, appId: '' }, REFUND_EVENT_TYPES, 'refund');
  if (!opened.ok) return opened;
  const refund = opened.resource;
  const state = v3RefundState(refund.refund_status);
  const report = v3RefundReport(refund, state ?? 'PROCESSING');
  if (refund.mchid !== input.mchId) return reject(400, 'MCHID_MISMATCH', 'mchid is not ours', report.orderNo);
  if (!state || !report.refundNo || !report.orderNo || !report.transactionId || report.total === undefined
    || report.amount === undefined || report.amount === 0) {
    return reject(400, 'TRANSACTION_INVALID', 'the refund lacks its numbers, status or amounts', report.orderNo);
  }
  return { ok: true, report: { ...report, transactionId: report.transactionId, orderNo: report.orderNo, total: report.total, amount: report.amount } };
}
