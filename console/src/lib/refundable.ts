/**
 * What is left to refund of an order, as the server counts it: the amount
 * minus its own transaction's refunds that are PROCESSING, SUCCESS or
 * ABNORMAL (CLOSED and FAILED ones gave theirs back). Automatic refunds of
 * another transaction do not count. Nothing is refundable unless PAID.
 */
export interface RefundableOrder {
  status: string;
  amount: number;
  transactionId: string | null;
  refunds: Array<{ transactionId: string | null; amount: number; status: string }>;
}

const RESERVING = [ 'PROCESSING', 'SUCCESS', 'ABNORMAL' ];

export function refundableFen(order: RefundableOrder): number {
  if (order.status !== 'PAID') return 0;
  const reserved = order.refunds
    .filter(refund => refund.transactionId === order.transactionId && RESERVING.includes(refund.status))
    .reduce((sum, refund) => sum + refund.amount, 0);
  return Math.max(0, order.amount - reserved);
}
