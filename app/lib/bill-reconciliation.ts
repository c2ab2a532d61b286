import type { TradeBillRow } from './bill/trade-bill';

/**
 * The states of a day's bill reconciliation and the kinds of discrepancy it
 * finds (README "Daily bill reconciliation"), in one place.
 */
export enum BillReconciliationStatus {
  /** known, never claimed */
  PENDING = 'PENDING',
  /** claimed by a run until `claimed_until` */
  RUNNING = 'RUNNING',
  /** WeChat is still creating the bill: asked again at `retry_at` */
  WAITING = 'WAITING',
  DONE = 'DONE',
  /** WeChat has no bill for the day (no payment, no refund); the local side was still compared */
  EMPTY = 'EMPTY',
  /** nothing (more) compared: the bill could not be had or believed; `failure` says why */
  FAILED = 'FAILED',
}

/** The columns of the discrepancies CSV, in order (its header line; the OpenAPI document shows the same). */
export const DISCREPANCY_CSV_COLUMNS = [ 'kind', 'orderNo', 'refundNo', 'transactionId', 'billAmount', 'localAmount', 'resolved', 'detail' ] as const;

export enum DiscrepancyKind {
  /** a payment in the bill whose order we do not know */
  MISSING_LOCALLY = 'MISSING_LOCALLY',
  /** paid at WeChat, PENDING here: settled through a verified order query */
  PENDING_LOCALLY = 'PENDING_LOCALLY',
  /** paid at WeChat, CLOSED here: refunded automatically */
  CLOSED_LOCALLY = 'CLOSED_LOCALLY',
  /** the bill's transaction is not the order's: refunded automatically */
  OTHER_TRANSACTION = 'OTHER_TRANSACTION',
  AMOUNT_MISMATCH = 'AMOUNT_MISMATCH',
  /** PAID (or REFUNDED) here with its payment on that day, absent from the bill */
  MISSING_IN_BILL = 'MISSING_IN_BILL',
  /** a refund in the bill we do not know: imported when its order is ours */
  REFUND_MISSING_LOCALLY = 'REFUND_MISSING_LOCALLY',
  /** a refund WeChat accepted that day by our records, absent from the bill */
  REFUND_MISSING_IN_BILL = 'REFUND_MISSING_IN_BILL',
  REFUND_AMOUNT_MISMATCH = 'REFUND_AMOUNT_MISMATCH',
}

/** A bill row kept in the staging table: a payment (交易状态 SUCCESS) or a refund (REFUND). */
export enum BillRowKind {
  PAYMENT = 'PAYMENT',
  REFUND = 'REFUND',
}

/** What the reconciliation keeps of a bill row while it compares the day (the staging table's columns). */
export interface StagedBillRow {
  kind: BillRowKind;
  orderNo: string;
  transactionId: string;
  /** 商户退款单号 of a refund; null on a payment */
  refundNo: string | null;
  /** 微信退款单号 of a refund; null on a payment */
  refundId: string | null;
  /** fen: a payment's 订单金额, a refund's 申请退款金额 (else 退款金额) */
  amount: number;
  /** 交易时间: a payment's success time, a refund's acceptance time */
  tradedAt: Date;
}

/** The fields of a parsed bill row that the reconciliation reads (a bill without 申请退款金额 leaves it out). */
type BillRowFields = 'status' | 'orderNo' | 'transactionId' | 'refundNo' | 'refundId' | 'orderAmount' | 'refundAmount' | 'tradeTime';
export type BillRowFacts = Pick<TradeBillRow, BillRowFields> & Partial<Pick<TradeBillRow, 'requestedRefundAmount'>>;

/**
 * The staged form of a bill row, or undefined for a row that is neither a
 * payment nor a refund (REVOKED). Amounts are compared with what we asked
 * WeChat for: an order's total_fee is 订单金额 (应结订单金额 is less any
 * coupon), a refund's refund_fee is 申请退款金额 (退款金额 is less any coupon
 * refund).
 */
export function stagedRowOf(row: BillRowFacts): StagedBillRow | undefined {
  if (row.status === 'SUCCESS') {
    return {
      kind: BillRowKind.PAYMENT, orderNo: row.orderNo, transactionId: row.transactionId,
      refundNo: null, refundId: null, amount: row.orderAmount, tradedAt: row.tradeTime,
    };
  }
  if (row.status === 'REFUND') {
    return {
      kind: BillRowKind.REFUND, orderNo: row.orderNo, transactionId: row.transactionId,
      refundNo: row.refundNo || null, refundId: row.refundId || null,
      amount: row.requestedRefundAmount ?? row.refundAmount, tradedAt: row.tradeTime,
    };
  }
  return undefined;
}
