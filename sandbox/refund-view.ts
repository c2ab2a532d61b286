import { json, SandboxReply } from './http';
import { Refund } from './refund-store';

/** A refund as the control calls describe it (camelCase, v3's status names, times in ISO 8601). */
export interface RefundView {
  refundNo: string;
  refundId: string;
  outTradeNo: string;
  transactionId: string;
  /** the trade's total, fen */
  total: number;
  amount: number;
  state: Refund['status'];
  source: Refund['source'];
  /** v2 (XML with req_info) or v3 (REFUND.*) */
  notifyForm: Refund['notifyForm'];
  notifyUrl: string | null;
  createdAt: string;
  succeededAt: string | null;
}

export function refundView(refund: Readonly<Refund>): RefundView {
  return {
    refundNo: refund.outRefundNo,
    refundId: refund.refundId,
    outTradeNo: refund.outTradeNo,
    transactionId: refund.transactionId,
    total: refund.totalFee,
    amount: refund.refundFee,
    state: refund.status,
    source: refund.source,
    notifyForm: refund.notifyForm,
    notifyUrl: refund.notifyUrl ?? null,
    createdAt: new Date(refund.createdAt).toISOString(),
    succeededAt: refund.succeededAt === undefined ? null : new Date(refund.succeededAt).toISOString(),
  };
}

export function badRequest(code: string, message: string): SandboxReply {
  return json(400, { code, message });
}

export function refundNotFound(refundNo: string): SandboxReply {
  return json(404, { code: 'REFUND_NOT_FOUND', message: `the sandbox has no refund ${refundNo}` });
}

/** A non-empty string, or undefined. */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A boolean option: its value, the default when absent, undefined when it is not a boolean. */
export function booleanOption(value: unknown, fallback: boolean): boolean | undefined {
  if (value === undefined) return fallback;
  return typeof value === 'boolean' ? value : undefined;
}
