import type { FaultKind } from './faults';

/** A v2 err_code with its description. */
export interface V2BusinessError {
  errCode: string;
  errCodeDes: string;
}

/**
 * What an injected fault makes the v2 refund APIs answer, for the faults that
 * are WeChat's signed business errors (HTTP_500 and DELAY are handled before
 * and around). Descriptions are those merchants have seen (err_code_des of the v2 refund page).
 */
const FAULT_ERRORS: Partial<Record<FaultKind, V2BusinessError>> = {
  SYSTEMERROR: { errCode: 'SYSTEMERROR', errCodeDes: '系统超时' },
  // v2 has no separate "busy" code: an overloaded system answers SYSTEMERROR too.
  BUSY: { errCode: 'SYSTEMERROR', errCodeDes: '系统繁忙，请稍后再试' },
  BIZERR_NEED_RETRY: { errCode: 'BIZERR_NEED_RETRY', errCodeDes: '退款业务流程错误，需要商户触发重试来解决' },
  FREQUENCY_LIMITED: { errCode: 'FREQUENCY_LIMITED', errCodeDes: '你的操作过于频繁,请稍后再试。' },
  NOTENOUGH: { errCode: 'NOTENOUGH', errCodeDes: '基本账户余额不足，请充值后重新发起' },
  USER_ACCOUNT_ABNORMAL: { errCode: 'USER_ACCOUNT_ABNORMAL', errCodeDes: '退款请求失败，用户帐号注销' },
};

export function v2FaultError(kind: FaultKind | undefined): V2BusinessError | undefined {
  return kind === undefined ? undefined : FAULT_ERRORS[kind];
}
