import { formatYuan, parseYuan } from './money';

/** WeChat shows the reason to the payer: at most 80 characters (code points, as the server counts). */
export const REASON_MAX = 80;

export function characterCount(text: string): number {
  return [ ...text ].length;
}

export type RefundInput =
  | { ok: true; fen: number; reason: string | null }
  | { ok: false; field: 'amount' | 'reason'; error: string };

/** The refund form's fields checked before the confirmation opens: a positive amount within what is refundable, a short reason. */
export function checkRefundInput(amountText: string, reasonText: string, refundable: number): RefundInput {
  const amount = parseYuan(amountText);
  if (!amount.ok) return { ok: false, field: 'amount', error: amount.error };
  if (amount.fen <= 0) return { ok: false, field: 'amount', error: 'The amount must be more than ¥0.00.' };
  if (amount.fen > refundable) {
    return { ok: false, field: 'amount', error: `At most ${formatYuan(refundable)} can be refunded.` };
  }
  const reason = reasonText.trim();
  if (characterCount(reason) > REASON_MAX) {
    return { ok: false, field: 'reason', error: `The reason is ${characterCount(reason)} characters long; at most ${REASON_MAX}.` };
  }
  return { ok: true, fen: amount.fen, reason: reason === '' ? null : reason };
}
