import { json, parseJsonBody, SandboxReply, SandboxRequest } from './http';
import { newPlatformRefundNo } from './ids';
import { isNotifyUrl } from './notify-url';
import { RefundLedger, RefundRefusal } from './refund-ledger';
import { RefundNotifier } from './refund-notifier';
import { REFUND_OUTCOMES, RefundOutcome, RefundStore } from './refund-store';
import { badRequest, booleanOption, nonEmptyString, refundView } from './refund-view';
import { Trade, TradeStore } from './trade-store';

const OUTCOMES: readonly string[] = [ ...REFUND_OUTCOMES, 'PROCESSING' ];
const USAGE = `expected { outTradeNo, amount: fen, notifyUrl?, outcome?: ${OUTCOMES.join('|')} (default SUCCESS), `
  + 'reason?, deliverNotify?: boolean, wait?: boolean }';

// What the merchant platform says when it refuses, as the refund APIs would.
const REFUSALS: Record<RefundRefusal, string> = {
  TRADE_NOT_FOUND: '订单不存在',
  TRADE_OVERDUE: '订单已经超过退款期限',
  PARAMS_MISMATCH: '订单金额或退款金额与之前请求不一致,请核实后再试',
  EXCEEDS_REFUNDABLE: '申请退款金额超过订单可退金额',
  TOO_MANY_REFUNDS: '退款次数超过限制',
};

/**
 * Where the merchant platform sends refund notifies when the control call
 * names no URL: the "refund notify URL" a merchant configures there, taken
 * to be the service's refund-notify endpoint beside its pay notify_url.
 */
function configuredNotifyUrl(trade: Readonly<Trade>): string {
  const path = trade.origin.api === 'v3' ? '/api/pay/refund-notify/v3' : '/api/pay/refund-notify';
  return `${new URL(trade.notifyUrl).origin}${path}`;
}

/**
 * A refund made by hand in the merchant platform (商户平台), with no merchant
 * system involved: WeChat chooses its out_refund_no, applies the same rules
 * as the refund APIs, and notifies it in the v2 XML form with
 * refund_request_source VENDOR_PLATFORM, even to a v3 merchant.
 */
export class MerchantPlatform {
  constructor(
    private readonly trades: TradeStore,
    private readonly refunds: RefundStore,
    private readonly ledger: RefundLedger,
    private readonly notifier: RefundNotifier,
  ) {}

  // POST /sandbox/control/refund/platform { outTradeNo, amount, notifyUrl?, outcome?, reason?, deliverNotify?, wait? }
  async refund(request: SandboxRequest): Promise<SandboxReply> {
    const input = parseJsonBody(request.body);
    const outTradeNo = nonEmptyString(input?.outTradeNo);
    const amount = input?.amount;
    const notifyUrl = input?.notifyUrl;
    const outcome = input?.outcome ?? 'SUCCESS';
    const reason = input?.reason;
    const deliverNotify = booleanOption(input?.deliverNotify, true);
    const wait = booleanOption(input?.wait, true);
    if (!outTradeNo || typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0
      || (notifyUrl !== undefined && (typeof notifyUrl !== 'string' || !isNotifyUrl(notifyUrl)))
      || !OUTCOMES.includes(outcome as string) || (reason !== undefined && typeof reason !== 'string')
      || deliverNotify === undefined || wait === undefined) {
      return badRequest('INVALID_PLATFORM_REFUND', USAGE);
    }
    const trade = this.trades.find(outTradeNo);
    if (!trade) return json(404, { code: 'TRADE_NOT_FOUND', message: `the sandbox has no trade ${outTradeNo}` });
    if (trade.state !== 'SUCCESS') {
      return json(409, { code: 'TRADE_NOT_PAID', message: `trade ${outTradeNo} is ${trade.state}`, state: trade.state });
    }

    let outRefundNo: string;
    do outRefundNo = newPlatformRefundNo(this.trades.clock());
    while (this.refunds.find(outRefundNo));
    const decision = this.ledger.apply({
      outTradeNo,
      outRefundNo,
      total: trade.totalFee,
      refund: amount,
      reason: reason as string | undefined,
      notifyUrl: (notifyUrl as string | undefined) ?? configuredNotifyUrl(trade),
      notifyForm: 'v2',
      source: 'VENDOR_PLATFORM',
      fundsAccount: 'UNSETTLED',
    });
    if ('refusal' in decision) {
      return json(409, { code: 'REFUND_REFUSED', refusal: decision.refusal, message: REFUSALS[decision.refusal] });
    }
    const { refund } = decision;
    if (outcome === 'PROCESSING') return json(200, { ...refundView(refund), notify: { state: 'none' } });
    this.refunds.settle(refund, outcome as RefundOutcome);
    const view = refundView(refund);
    const notify = await this.notifier.announce(refund, { deliverNotify, wait });
    return json(200, { ...view, notify });
  }
}
