import { NotifyFormat, NotifyMessage } from './notify-delivery';
import { Trade } from './trade-store';
import { nonceStr } from './wechat/nonce';
import { v2Sign } from './wechat/v2-sign';
import { fromXml, toXml, XmlFields } from './wechat/xml';

// What WeChat reports for a payment the bank refused.
const FAILED_PAYMENT = { errCode: 'BANKERROR', errCodeDes: '银行系统异常' };

/**
 * The v2 payment notify: signed XML with the sign type the order was placed
 * with, acknowledged by HTTP 200 and an XML reply with return_code SUCCESS.
 */
export class V2NotifyFormat implements NotifyFormat {
  constructor(private readonly apiKey: string) {}

  build(trade: Readonly<Trade>): NotifyMessage {
    if (trade.origin.api !== 'v2') throw new Error(`trade ${trade.outTradeNo} was not ordered through v2`);
    const { signType } = trade.origin;
    const paid = trade.state === 'SUCCESS';
    const fields: XmlFields = {
      return_code: 'SUCCESS',
      appid: trade.appid,
      mch_id: trade.mchid,
      nonce_str: nonceStr(),
      sign_type: signType === 'HMAC-SHA256' ? signType : undefined,
      result_code: paid ? 'SUCCESS' : 'FAIL',
      err_code: paid ? undefined : FAILED_PAYMENT.errCode,
      err_code_des: paid ? undefined : FAILED_PAYMENT.errCodeDes,
      openid: trade.openid,
      is_subscribe: 'N',
      trade_type: trade.tradeType,
      bank_type: trade.bankType,
      total_fee: trade.totalFee,
      cash_fee: trade.totalFee,
      fee_type: 'CNY',
      transaction_id: trade.transactionId,
      out_trade_no: trade.outTradeNo,
      attach: trade.attach,
      time_end: trade.timeEnd,
    };
    return {
      headers: { 'content-type': 'text/xml' },
      body: toXml({ ...fields, sign: v2Sign(fields, this.apiKey, signType) }),
    };
  }

  isAcknowledged(status: number, body: string): boolean {
    return isV2Acknowledged(status, body);
  }
}

/** v2 notifies (payments and refunds) are acknowledged by HTTP 200 with an XML return_code SUCCESS. */
export function isV2Acknowledged(status: number, body: string): boolean {
  if (status !== 200) return false;
  try {
    return fromXml(body).return_code === 'SUCCESS';
  } catch {
    return false;
  }
}
