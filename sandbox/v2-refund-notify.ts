import { NotifyFormat, NotifyMessage } from './notify-delivery';
import { Refund, USER_RECEIVED_ACCOUNT } from './refund-store';
import { isV2Acknowledged } from './v2-notify';
import { V2_REFUND_STATUS } from './v2-refundquery';
import { v2RefundAccount } from './v2-refund-params';
import { nonceStr } from './wechat/nonce';
import { encryptReqInfo } from './wechat/refund-req-info';
import { beijingDateTime } from './wechat/time';
import { toXml, XmlFields } from './wechat/xml';

/**
 * The v2 refund notify (pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_16): `<xml>` with return_code,
 * appid, mch_id, nonce_str and req_info, no sign. req_info is the refund as a
 * `<root>` document (fields in alphabetical order, as in WeChat's published
 * examples) encrypted AES-256-ECB with the MD5 of the v2 API key. Sent for
 * refunds made through v2 and for those made by hand in the merchant
 * platform (refund_request_source VENDOR_PLATFORM), whatever API the
 * merchant otherwise uses. Acknowledged like a payment notify.
 */
export class V2RefundNotifyFormat implements NotifyFormat<Refund> {
  constructor(private readonly apiKey: string) {}

  build(refund: Readonly<Refund>): NotifyMessage {
    if (refund.status === 'PROCESSING') throw new Error(`refund ${refund.outRefundNo} has no outcome to notify yet`);
    const root: XmlFields = {
      out_refund_no: refund.outRefundNo,
      out_trade_no: refund.outTradeNo,
      refund_account: v2RefundAccount(refund.fundsAccount),
      refund_fee: String(refund.refundFee),
      refund_id: refund.refundId,
      refund_recv_accout: USER_RECEIVED_ACCOUNT,
      refund_request_source: refund.source,
      refund_status: V2_REFUND_STATUS[refund.status],
      settlement_refund_fee: String(refund.refundFee),
      settlement_total_fee: String(refund.totalFee),
      success_time: refund.status === 'SUCCESS' ? beijingDateTime(refund.succeededAt!) : undefined,
      total_fee: String(refund.totalFee),
      transaction_id: refund.transactionId,
    };
    return {
      headers: { 'content-type': 'text/xml' },
      body: toXml({
        return_code: 'SUCCESS',
        appid: refund.appid,
        mch_id: refund.mchid,
        nonce_str: nonceStr(),
        req_info: encryptReqInfo(toXml(root, 'root'), this.apiKey),
      }),
    };
  }

  isAcknowledged(status: number, body: string): boolean {
    return isV2Acknowledged(status, body);
  }
}
