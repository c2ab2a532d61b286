/**
 * Statuses as badges: each status has a tone (a colour in the stylesheet)
 * and is always written out too, so colour is never the only signal.
 */
export type Tone = 'success' | 'info' | 'warning' | 'danger' | 'neutral' | 'refunded';

const TONES: Record<string, Tone> = {
  // orders
  PENDING: 'warning',
  PAID: 'success',
  CLOSED: 'neutral',
  REFUNDED: 'refunded',
  // refunds (CLOSED as above)
  PROCESSING: 'info',
  SUCCESS: 'success',
  ABNORMAL: 'warning',
  FAILED: 'danger',
  // reconciliation days (PENDING, FAILED as above)
  RUNNING: 'info',
  WAITING: 'warning',
  DONE: 'success',
  EMPTY: 'neutral',
};

export function statusTone(status: string): Tone {
  return TONES[status] ?? 'neutral';
}

/** The CSS classes of a status badge: "badge badge--success". */
export function badgeClass(status: string): string {
  return `badge badge--${statusTone(status)}`;
}

export const ORDER_STATUSES = [ 'PENDING', 'PAID', 'CLOSED', 'REFUNDED' ] as const;
export const REFUND_STATUSES = [ 'PROCESSING', 'SUCCESS', 'CLOSED', 'ABNORMAL', 'FAILED' ] as const;

/** Refund statuses after which nothing changes any more (ABNORMAL may still become SUCCESS or CLOSED). */
export const FINAL_REFUND_STATUSES: readonly string[] = [ 'SUCCESS', 'CLOSED', 'FAILED' ];

export function isFinalRefundStatus(status: string): boolean {
  return FINAL_REFUND_STATUSES.includes(status);
}
