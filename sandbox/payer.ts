import { json, parseJsonBody, SandboxReply, SandboxRequest } from './http';
import { sandboxOpenid } from './login';
import { DeliveryReport, NotifyDeliverer, NotifySummary } from './notify-delivery';
import { isPayable, Trade, TradeStore } from './trade-store';

const PAYMENT_RESULTS = [ 'SUCCESS', 'FAIL', 'USERPAYING' ] as const;
type PaymentResult = typeof PAYMENT_RESULTS[number];

// Since 2020 WeChat reports most cards as OTHERS in bank_type.
const DEFAULT_BANK_TYPE = 'OTHERS';
// Who pays an order that named no payer (NATIVE, APP, MWEB): WeChat learns the openid at payment.
const DEFAULT_PAYER = 'sandbox-payer';

interface PayInput {
  prepayId?: string;
  outTradeNo?: string;
  result: PaymentResult;
  deliverNotify: boolean;
  /** answer only once the first notify attempt is over */
  wait: boolean;
  bankType: string;
}

function badRequest(code: string, message: string): SandboxReply {
  return json(400, { code, message });
}

function optionalString(value: unknown): value is string | undefined {
  return value === undefined || (typeof value === 'string' && value !== '');
}

function parsePayInput(body: string): PayInput | SandboxReply {
  const input = parseJsonBody(body);
  if (!input) return badRequest('INVALID_JSON', 'body must be a JSON object');
  const { prepayId, outTradeNo } = input;
  const result = input.result ?? 'SUCCESS';
  const deliverNotify = input.deliverNotify ?? true;
  const wait = input.wait ?? true;
  const bankType = input.bankType ?? DEFAULT_BANK_TYPE;
  if (!optionalString(prepayId) || !optionalString(outTradeNo) || (prepayId === undefined) === (outTradeNo === undefined)
    || !PAYMENT_RESULTS.includes(result as PaymentResult) || typeof deliverNotify !== 'boolean' || typeof wait !== 'boolean'
    || typeof bankType !== 'string' || bankType === '') {
    return badRequest('INVALID_PAYMENT', `expected { prepayId | outTradeNo, result?: ${PAYMENT_RESULTS.join('|')}, `
      + 'deliverNotify?: boolean, wait?: boolean, bankType? }');
  }
  return { prepayId, outTradeNo, result: result as PaymentResult, deliverNotify, wait, bankType };
}

function outTradeNoParameter(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function tradeNotFound(outTradeNo: string): SandboxReply {
  return json(404, { code: 'TRADE_NOT_FOUND', message: `the sandbox has no trade ${outTradeNo}` });
}

/**
 * The payer's side, driven by control calls: pay (or fail to pay) a
 * prepay_id the way the WeChat app would, then let WeChat notify the
 * merchant; and watch or repeat those notifies.
 */
export class Payer {
  constructor(
    private readonly trades: TradeStore,
    private readonly notifies: NotifyDeliverer<Trade>,
  ) {}

  /**
   * POST /sandbox/control/pay { prepayId | outTradeNo, result?, deliverNotify?, wait?, bankType? }
   * By default the reply waits for the first notify attempt (at most its
   * 5 s time-out), so that whoever drives the payer by hand sees the
   * merchant's order settled as soon as the reply comes; `wait: false`
   * answers at once and lets the notify race whatever comes next.
   */
  async pay(request: SandboxRequest): Promise<SandboxReply> {
    const input = parsePayInput(request.body);
    if ('status' in input) return input;
    const trade = input.prepayId !== undefined
      ? this.trades.findByPrepayId(input.prepayId)
      : this.trades.find(input.outTradeNo as string);
    if (!trade) return json(404, { code: 'TRADE_NOT_FOUND', message: 'no trade has this prepayId or outTradeNo' });
    if (!isPayable(trade)) {
      return json(409, {
        code: 'TRADE_NOT_PAYABLE',
        message: `trade ${trade.outTradeNo} is ${trade.state}`,
        state: trade.state,
      });
    }
    // The WeChat app refuses a prepay_id older than two hours or replaced by a newer one.
    if ((input.prepayId !== undefined && input.prepayId !== trade.prepayId) || !this.trades.isPrepayValid(trade)) {
      return json(410, { code: 'PREPAY_EXPIRED', message: `the prepay_id of trade ${trade.outTradeNo} has expired` });
    }

    if (input.result === 'USERPAYING') {
      this.trades.markUserPaying(trade);
      return json(200, { ...this.describe(trade), notify: { state: this.notifies.state(trade.outTradeNo) } });
    }
    this.trades.settle(trade, input.result === 'SUCCESS' ? 'SUCCESS' : 'PAYERROR', {
      bankType: input.bankType,
      payerOpenid: sandboxOpenid(trade.appid, DEFAULT_PAYER),
    });
    // Described now: the reply tells this payment even if another one follows while the notify is under way.
    const described = this.describe(trade);
    let notify: NotifySummary;
    if (!input.deliverNotify) {
      this.notifies.suppress(trade);
      notify = { state: 'suppressed' };
    } else if (input.wait) {
      const firstAttempt = await this.notifies.deliver(trade);
      notify = { state: this.notifies.state(trade.outTradeNo), ...(firstAttempt && { firstAttempt }) };
    } else {
      void this.notifies.deliver(trade);
      notify = { state: this.notifies.state(trade.outTradeNo) };
    }
    return json(200, { ...described, notify });
  }

  // GET /sandbox/control/notifies?outTradeNo=...
  notifyReport(request: SandboxRequest): SandboxReply {
    const outTradeNo = outTradeNoParameter(request.query.get('outTradeNo') ?? undefined);
    if (!outTradeNo) return badRequest('INVALID_QUERY', 'expected ?outTradeNo=...');
    if (!this.trades.find(outTradeNo)) return tradeNotFound(outTradeNo);
    const report: DeliveryReport = { outTradeNo, ...this.notifies.report(outTradeNo) };
    return json(200, report);
  }

  // POST /sandbox/control/notify/resend { outTradeNo }: answers when the attempt is over.
  async resend(request: SandboxRequest): Promise<SandboxReply> {
    const outTradeNo = outTradeNoParameter(parseJsonBody(request.body)?.outTradeNo);
    if (!outTradeNo) return badRequest('INVALID_RESEND', 'expected { outTradeNo }');
    if (!this.trades.find(outTradeNo)) return tradeNotFound(outTradeNo);
    const attempt = await this.notifies.resend(outTradeNo);
    if (!attempt) {
      return json(409, { code: 'NOTHING_TO_RESEND', message: `trade ${outTradeNo} has no payment outcome to notify` });
    }
    return json(200, { outTradeNo, ...attempt });
  }

  private describe(trade: Trade): { outTradeNo: string; transactionId: string | null; state: string } {
    const transactionId = trade.state === 'USERPAYING' ? null : trade.transactionId ?? null;
    return { outTradeNo: trade.outTradeNo, transactionId, state: trade.state };
  }
}
