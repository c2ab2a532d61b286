import { DeliveryAttempt, NotifyDeliverer, NotifyFormat, NotifyMessage } from './notify-delivery';
import { Trade } from './trade-store';
import { isV3Acknowledged, notifyId, v3NotifyMessage } from './v3-notify-envelope';
import { WechatpayReplySigner } from './v3-reply';
import { v3Transaction } from './v3-transaction';
import { compactToRfc3339 } from './wechat/time';

/**
 * The v3 payment notify: the transaction encrypted with the APIv3 key
 * (associated_data "transaction") in a signed TRANSACTION.SUCCESS envelope.
 * Acknowledged by HTTP 200 or 204, whatever the body.
 */
export class V3NotifyFormat implements NotifyFormat {
  constructor(
    private readonly apiV3Key: string,
    private readonly signer: () => WechatpayReplySigner | undefined,
  ) {}

  build(trade: Readonly<Trade>): NotifyMessage {
    if (trade.origin.api !== 'v3') throw new Error(`trade ${trade.outTradeNo} was not ordered through v3`);
    if (trade.state !== 'SUCCESS') throw new Error(`v3 notifies successful payments only; trade ${trade.outTradeNo} is ${trade.state}`);
    return v3NotifyMessage({
      id: notifyId(`notify:${trade.transactionId}`),
      create_time: compactToRfc3339(trade.timeEnd!),
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      original_type: 'transaction',
      resource: v3Transaction(trade),
    }, this.apiV3Key, this.signer());
  }

  isAcknowledged(status: number): boolean {
    return isV3Acknowledged(status);
  }
}

/**
 * Payment notifies, one delivery per trade, in the format of the API that
 * placed it. WeChat Pay v3 sends payment notifies for successful payments
 * only (TRANSACTION.SUCCESS): a failed v3 attempt is recorded without a
 * notify, and the merchant learns of it by querying. v2 trades notify either way.
 */
export class SandboxNotifyDeliverer extends NotifyDeliverer<Trade> {
  constructor(retryScale: number) {
    super(retryScale, { key: trade => trade.outTradeNo, url: trade => trade.notifyUrl, format: trade => trade.origin.api });
  }

  deliver(trade: Readonly<Trade>): Promise<DeliveryAttempt | undefined> {
    if (trade.origin.api === 'v3' && trade.state !== 'SUCCESS') {
      this.suppress(trade);
      return Promise.resolve(undefined);
    }
    return super.deliver(trade);
  }
}
