import { NotifyFormat, NotifyMessage } from './notify-delivery';
import { Refund, RefundStatus } from './refund-store';
import { isV3Acknowledged, notifyId, v3NotifyMessage } from './v3-notify-envelope';
import { v3RefundNotifyResource } from './v3-refund-object';
import { WechatpayReplySigner } from './v3-reply';
import { beijingRfc3339 } from './wechat/time';

const SUMMARIES: Partial<Record<RefundStatus, string>> = {
  SUCCESS: '退款成功',
  ABNORMAL: '退款异常',
  CLOSED: '退款关闭',
};

/**
 * The v3 refund notify (the v3 refund notify page of WeChat Pay's API v3 docs): event REFUND.SUCCESS,
 * REFUND.ABNORMAL or REFUND.CLOSED, the refund encrypted with the APIv3 key
 * (associated_data "refund"), signed like a payment notify. Sent for refunds
 * made through v3.
 */
export class V3RefundNotifyFormat implements NotifyFormat<Refund> {
  constructor(
    private readonly apiV3Key: string,
    private readonly signer: () => WechatpayReplySigner | undefined,
  ) {}

  build(refund: Readonly<Refund>): NotifyMessage {
    const summary = SUMMARIES[refund.status];
    if (!summary) throw new Error(`refund ${refund.outRefundNo} has no outcome to notify yet`);
    return v3NotifyMessage({
      // One id per refund and outcome: an ABNORMAL refund that later succeeds is a new event.
      id: notifyId(`refund-notify:${refund.refundId}:${refund.status}`),
      create_time: beijingRfc3339(Date.now()),
      event_type: `REFUND.${refund.status}`,
      summary,
      original_type: 'refund',
      resource: v3RefundNotifyResource(refund),
    }, this.apiV3Key, this.signer());
  }

  isAcknowledged(status: number): boolean {
    return isV3Acknowledged(status);
  }
}
