/**
 * A refund's status. PROCESSING → SUCCESS | CLOSED | ABNORMAL; ABNORMAL is not
 * final (it may still become SUCCESS or CLOSED); FAILED means WeChat refused it
 * at once. SUCCESS, CLOSED and FAILED are final.
 */
export enum RefundStatus {
  PROCESSING = 'PROCESSING',
  SUCCESS = 'SUCCESS',
  CLOSED = 'CLOSED',
  ABNORMAL = 'ABNORMAL',
  FAILED = 'FAILED',
}

/** Statuses whose amount is taken from the order's refundable amount. */
export const RESERVING_STATUSES: readonly RefundStatus[] = [ RefundStatus.PROCESSING, RefundStatus.SUCCESS, RefundStatus.ABNORMAL ];

// Which status may follow which: transitions only move forward.
const NEXT: Record<RefundStatus, readonly RefundStatus[]> = {
  [RefundStatus.PROCESSING]: [ RefundStatus.SUCCESS, RefundStatus.CLOSED, RefundStatus.ABNORMAL, RefundStatus.FAILED ],
  [RefundStatus.ABNORMAL]: [ RefundStatus.SUCCESS, RefundStatus.CLOSED ],
  [RefundStatus.SUCCESS]: [],
  [RefundStatus.CLOSED]: [],
  [RefundStatus.FAILED]: [],
};

/** The statuses from which a refund may move to `to` (the condition of its compare-and-set). */
export function statusesBefore(to: RefundStatus): RefundStatus[] {
  return (Object.keys(NEXT) as RefundStatus[]).filter(from => NEXT[from].includes(to));
}

/** Whether `from` → `to` moves forward. */
export function canMove(from: RefundStatus, to: RefundStatus): boolean {
  return NEXT[from].includes(to);
}

/** Whether a status gives its amount back to the refundable amount. */
export function releasesReservation(status: RefundStatus): boolean {
  return status === RefundStatus.CLOSED || status === RefundStatus.FAILED;
}
