import type { FaultKind } from './faults';

/** A WeChat v3 refusal, before it is signed: thrown by an operation, answered by the simulator. */
export class V3Refusal {
  constructor(readonly status: number, readonly code: string, readonly message: string, readonly detail?: Record<string, unknown>) {}
}

export function paramError(field: string, rule: string): V3Refusal {
  return new V3Refusal(400, 'PARAM_ERROR', `输入源“${field}”${rule}`, { location: field.split('/')[1], field });
}

export function stringField(source: Record<string, unknown>, name: string, field: string, maxLength: number): string {
  const value = source[name];
  if (value === undefined || value === null || value === '') throw paramError(field, '必填，不能为空');
  if (typeof value !== 'string' || value.length > maxLength) throw paramError(field, `须为不超过${maxLength}个字符的字符串`);
  return value;
}

export function optionalStringField(source: Record<string, unknown>, name: string, field: string, maxLength: number): string | undefined {
  return source[name] === undefined ? undefined : stringField(source, name, field, maxLength);
}

export function objectField(source: Record<string, unknown>, name: string, field: string): Record<string, unknown> {
  const value = source[name];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw paramError(field, '必填，须为对象');
  return value as Record<string, unknown>;
}

/** An amount in fen: a JSON integer > 0. */
export function fenField(source: Record<string, unknown>, name: string, field: string): number {
  const value = source[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw paramError(field, '须为正整数（分）');
  return value;
}

/**
 * What an injected fault makes v3 answer, for the faults that are WeChat's
 * signed refusals (HTTP_500 and DELAY are handled before and around).
 * BIZERR_NEED_RETRY is v2's; v3 says the same "retry" with SYSTEM_ERROR.
 */
const FAULT_REFUSALS: Partial<Record<FaultKind, () => V3Refusal>> = {
  SYSTEMERROR: () => new V3Refusal(500, 'SYSTEM_ERROR', '系统错误'),
  BIZERR_NEED_RETRY: () => new V3Refusal(500, 'SYSTEM_ERROR', '系统错误，请使用相同参数重试'),
  BUSY: () => new V3Refusal(429, 'FREQUENCY_LIMITED', '频率超限'),
  FREQUENCY_LIMITED: () => new V3Refusal(429, 'FREQUENCY_LIMITED', '该笔退款为受理中，请调用查单接口确认或降低频率原单重试'),
  NOTENOUGH: () => new V3Refusal(403, 'NOT_ENOUGH', '基本账户余额不足，请充值后重新发起'),
  USER_ACCOUNT_ABNORMAL: () => new V3Refusal(403, 'USER_ACCOUNT_ABNORMAL', '退款请求失败，用户帐号注销'),
};

export function faultRefusal(kind: FaultKind | undefined): V3Refusal | undefined {
  return kind === undefined ? undefined : FAULT_REFUSALS[kind]?.();
}
