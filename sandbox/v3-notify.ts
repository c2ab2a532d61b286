import { createHash } from 'node:crypto';
import { DeliveryAttempt, NotifyDeliverer, NotifyFormat, NotifyMessage } from './notify-delivery';
import { Trade } from './trade-store';
import { WechatpayReplySigner } from './v3-reply';
import { v3Transaction } from './v3-transaction';
import { sealResource } from './wechat/aes-gcm';
import { nonceStr } from './wechat/nonce';
import { compactToRfc3339 } from './wechat/time';
import { V3_AUTH_SCHEME } from './wechat/v3-authorization';

/** The notify's id, stable across retries of one payment's notify so merchants can spot repeats. */
function notifyId(trade: Readonly<Trade>): string {
  const hex = createHash('sha256').update(`notify:${trade.transactionId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The v3 payment notify: a JSON envelope whose resource is the transaction
 * encrypted with the APIv3 key (AEAD_AES_256_GCM, associated_data
 * "transaction"), signed in Wechatpay-* headers over the exact body, afresh
 * for every attempt. Acknowledged by HTTP 200 or 204, whatever the body.
 */
export class V3NotifyFormat implements NotifyFormat {
  constructor(
    private readonly apiV3Key: string,
    private readonly signer: () => WechatpayReplySigner | undefined,
  ) {}

  build(trade: Readonly<Trade>): NotifyMessage {
    if (trade.origin.api !== 'v3') throw new Error(`trade ${trade.outTradeNo} was not ordered through v3`);
    if (trade.state !== 'SUCCESS') throw new Error(`v3 notifies successful payments only; trade ${trade.outTradeNo} is ${trade.state}`);
    const signer = this.signer();
    if (!signer) throw new Error('v3 is off in this sandbox: no WeChat Pay signing key');
    const resource = sealResource(JSON.stringify(v3Transaction(trade)), this.apiV3Key, nonceStr(12), 'transaction');
    const body = JSON.stringify({
      id: notifyId(trade),
      create_time: compactToRfc3339(trade.timeEnd!),
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resource: {
        original_type: 'transaction',
        algorithm: resource.algorithm,
        ciphertext: resource.ciphertext,
        associated_data: resource.associated_data,
        nonce: resource.nonce,
      },
    });
    return {
      headers: {
        'content-type': 'application/json',
        'wechatpay-signature-type': V3_AUTH_SCHEME,
        ...signer.headers(body),
      },
      body,
    };
  }

  isAcknowledged(status: number): boolean {
    return status === 200 || status === 204;
  }
}

/**
 * WeChat Pay v3 sends payment notifies for successful payments only
 * (TRANSACTION.SUCCESS): a failed v3 attempt is recorded without a notify,
 * and the merchant learns of it by querying. v2 trades notify either way.
 */
export class SandboxNotifyDeliverer extends NotifyDeliverer {
  deliver(trade: Readonly<Trade>): Promise<DeliveryAttempt | undefined> {
    if (trade.origin.api === 'v3' && trade.state !== 'SUCCESS') {
      this.suppress(trade);
      return Promise.resolve(undefined);
    }
    return super.deliver(trade);
  }
}
