import { createOrderNo } from './order-no';

/** WeChat Pay's out_refund_no: at most 64 characters of [0-9A-Za-z_-|*@]. */
export const REFUND_NO_PATTERN = /^[0-9A-Za-z_\-|*@]{1,64}$/;

/** A new refund number: `R` and an order-style number (time to the second, 12 random characters). */
export function createRefundNo(now: Date = new Date()): string {
  return `R${createOrderNo(now)}`;
}

/**
 * The number of the automatic refund of a transaction: derived from the
 * transaction id, so the unique key on refunds.refund_no makes refunding one
 * transaction twice impossible however often it is reported.
 */
export function automaticRefundNo(transactionId: string): string {
  return `A${transactionId}`.slice(0, 64);
}

/** Whether a string can be one of our refund numbers (checked before any lookup). */
export function isRefundNo(value: unknown): value is string {
  return typeof value === 'string' && REFUND_NO_PATTERN.test(value);
}

/** The refund notify URL: the configured one, or the pay notify URL's origin with the refund path of the API version. */
export function refundNotifyUrl(configured: string, payNotifyUrl: string, apiVersion: 'v2' | 'v3'): string {
  if (configured) return configured;
  return `${new URL(payNotifyUrl).origin}/api/pay/refund-notify${apiVersion === 'v3' ? '/v3' : ''}`;
}
