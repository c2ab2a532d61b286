import { InvalidRequestError } from './api-error';
import { parsePagination } from './order-input';
import { RefundStatus } from './refund-status';

/** WeChat shows the reason to the payer: at most 80 characters (refund_desc / reason). */
export const REASON_MAX = 80;
export const IDEMPOTENCY_KEY_MAX = 64;
// WeChat Pay's amounts are 32-bit integers of fen.
const AMOUNT_MAX = 2 ** 31 - 1;

export interface RefundRequestInput {
  amount: number;
  reason: string | null;
  idempotencyKey: string | null;
}

/**
 * `{ amount, reason? }` and the optional Idempotency-Key header of a refund
 * request. The amount must be a JSON number that is a positive integer of fen:
 * a string such as "100" is refused, never converted.
 */
export function parseRefundRequest(body: unknown, idempotencyKey: string | undefined): RefundRequestInput {
  const { amount, reason } = (body !== null && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0 || amount > AMOUNT_MAX) {
    throw new InvalidRequestError('AMOUNT_INVALID', 'amount must be a positive integer number of fen');
  }
  if (reason !== undefined && reason !== null && typeof reason !== 'string') {
    throw new InvalidRequestError('REASON_INVALID', 'reason must be a string');
  }
  if (typeof reason === 'string' && [ ...reason ].length > REASON_MAX) {
    throw new InvalidRequestError('REASON_TOO_LONG', `reason must be at most ${REASON_MAX} characters`);
  }
  if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > IDEMPOTENCY_KEY_MAX)) {
    throw new InvalidRequestError('IDEMPOTENCY_KEY_INVALID', `Idempotency-Key must be 1 to ${IDEMPOTENCY_KEY_MAX} characters`);
  }
  return { amount, reason: typeof reason === 'string' && reason !== '' ? reason : null, idempotencyKey: idempotencyKey ?? null };
}

const STATUSES = Object.values(RefundStatus) as string[];

/** `?status=&page=&pageSize=` of the refunds list; 400 for an unknown status. */
export function parseRefundListQuery(query: Record<string, unknown>): { status?: RefundStatus; page: number; pageSize: number } {
  const { status } = query;
  if (status !== undefined && status !== '' && (typeof status !== 'string' || !STATUSES.includes(status))) {
    throw new InvalidRequestError('INVALID_STATUS', `status must be one of ${STATUSES.join(', ')}`);
  }
  return { status: status ? status as RefundStatus : undefined, ...parsePagination(query) };
}
