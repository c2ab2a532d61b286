import type { KeyObject } from 'node:crypto';
import { json, parseJsonBody, SandboxReply, SandboxRequest } from './http';
import type { SandboxOptions } from './options';
import type { Payer } from './payer';
import { isPayable, TradeStore } from './trade-store';
import { paySignProblem, RequestPaymentParams } from './wechat/pay-sign';

/** What the user does on the payment sheet, once the client has shown it. */
const USER_ACTIONS = [ 'SUCCESS', 'FAIL', 'CANCEL' ] as const;
type UserAction = typeof USER_ACTIONS[number];

const PARAM_NAMES = [ 'appId', 'timeStamp', 'nonceStr', 'package', 'signType', 'paySign' ] as const;

const PACKAGE_PATTERN = /^prepay_id=(\S+)$/;
// Seconds since the epoch, as a string of digits (WeChat refuses a number or milliseconds).
const TIMESTAMP_PATTERN = /^\d{1,10}$/;

/** The reply: what wx.requestPayment's success or fail callback receives, plus what the sandbox saw. */
interface RequestPaymentOutcome {
  paySignValid: boolean;
  signType?: string;
  /** why the client refused the parameters or the payment did not go through */
  reason?: string;
  errMsg: string;
  /** the payer's report (POST /sandbox/control/pay) when the user paid or failed to */
  payment?: unknown;
}

function refused(reason: string, signType?: string): SandboxReply {
  const outcome: RequestPaymentOutcome = { paySignValid: false, signType, reason, errMsg: `requestPayment:fail ${reason}` };
  return json(200, outcome);
}

/**
 * POST /sandbox/control/request-payment: the WeChat client's side of
 * wx.requestPayment. It checks the parameters as the client does before it
 * shows the payment sheet (our appId, a live prepay_id, a paySign that
 * verifies), then plays the user: pays (SUCCESS, the default), pays and fails
 * (FAIL) through the payer, waiting for the first notify attempt, or closes
 * the sheet (CANCEL), which pays nothing. Answers 200 with
 * `{ paySignValid, reason?, errMsg, payment? }` whatever the outcome, as the
 * callbacks would; 400 only for a call that is not one.
 */
export class RequestPaymentControl {
  constructor(
    private readonly options: SandboxOptions,
    private readonly trades: TradeStore,
    private readonly payer: Payer,
    /** the public half of the merchant's key, which the sandbox derives once (absent without one) */
    private readonly merchantPublicKey: KeyObject | undefined,
  ) {}

  async handle(request: SandboxRequest): Promise<SandboxReply> {
    const input = parseJsonBody(request.body);
    const action = input?.result ?? 'SUCCESS';
    if (!input || !USER_ACTIONS.includes(action as UserAction)) {
      return json(400, {
        code: 'INVALID_REQUEST_PAYMENT',
        message: `expected { ${PARAM_NAMES.join(', ')}, result?: ${USER_ACTIONS.join('|')} }`,
      });
    }
    const missing = PARAM_NAMES.filter(name => typeof input[name] !== 'string' || input[name] === '');
    const signType = typeof input.signType === 'string' ? input.signType : undefined;
    if (missing.length > 0) return refused(`parameter ${missing.join(', ')} missing or not a string`, signType);
    const params = Object.fromEntries(PARAM_NAMES.map(name => [ name, input[name] ])) as unknown as RequestPaymentParams;

    if (params.appId !== this.options.appId) return refused(`appId ${params.appId} is not this mini-program's`, signType);
    if (!TIMESTAMP_PATTERN.test(params.timeStamp)) return refused('timeStamp is not seconds since the epoch', signType);
    const prepayId = PACKAGE_PATTERN.exec(params.package)?.[1];
    if (!prepayId) return refused('package is not prepay_id=<prepay_id>', signType);
    const trade = this.trades.findByPrepayId(prepayId);
    if (!trade) return refused(`no trade has prepay_id ${prepayId}`, signType);
    if (trade.appid !== params.appId) return refused(`the prepay_id was ordered for appid ${trade.appid}`, signType);
    if (trade.prepayId !== prepayId || !this.trades.isPrepayValid(trade)) return refused('the prepay_id has expired', signType);
    if (!isPayable(trade)) return refused(`the order is ${trade.state}`, signType);
    // v3 prepays are paid with an RSA paySign; a v2 one with the sign type its unified order used.
    const expectedSignType = trade.origin.api === 'v3' ? 'RSA' : trade.origin.signType;
    if (params.signType !== expectedSignType) {
      return refused(`signType ${params.signType} does not match the ${trade.origin.api} prepay's ${expectedSignType}`, signType);
    }

    const problem = paySignProblem(params, { apiKey: this.options.apiKey, merchantPublicKey: this.merchantPublicKey });
    if (problem) return refused(problem, signType);

    if (action === 'CANCEL') {
      return json(200, { paySignValid: true, signType, errMsg: 'requestPayment:fail cancel' } satisfies RequestPaymentOutcome);
    }
    const paid = await this.payer.pay({ ...request, body: JSON.stringify({ prepayId, result: action, wait: true }) });
    const payment = JSON.parse(paid.body as string) as Record<string, unknown>;
    if (paid.status !== 200) {
      return json(200, {
        paySignValid: true, signType, reason: String(payment.message), errMsg: `requestPayment:fail ${String(payment.message)}`, payment,
      } satisfies RequestPaymentOutcome);
    }
    const outcome: RequestPaymentOutcome = action === 'SUCCESS'
      ? { paySignValid: true, signType, errMsg: 'requestPayment:ok', payment }
      : { paySignValid: true, signType, reason: 'the payment failed', errMsg: 'requestPayment:fail the payment failed', payment };
    return json(200, outcome);
  }
}
