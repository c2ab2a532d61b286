import { isIP } from 'node:net';
import { isNotifyUrl } from './notify-url';

/** A unifiedorder request's business parameters, checked. */
export interface UnifiedOrderParams {
  body: string;
  outTradeNo: string;
  /** fen */
  totalFee: number;
  notifyUrl: string;
  tradeType: string;
  openid?: string;
  attach?: string;
  deviceInfo?: string;
  /** what an order must repeat to be "the same order" when its out_trade_no comes again */
  fingerprint: string;
}

const REQUIRED = [ 'body', 'out_trade_no', 'total_fee', 'spbill_create_ip', 'notify_url', 'trade_type' ];
const TRADE_TYPES = [ 'JSAPI', 'NATIVE', 'APP', 'MWEB' ];
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{1,32}$/;
const POSITIVE_INTEGER = /^[1-9][0-9]*$/;
// yyyyMMddHHmmss, Beijing time
const V2_TIME = /^20\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])[0-5]\d[0-5]\d$/;
const MAX_BODY_LENGTH = 128;

/*
 * Parameters that make an order: sent again with the same out_trade_no, any
 * difference is OUT_TRADE_NO_USED. Per-call values (nonce_str, sign,
 * spbill_create_ip, time_start, time_expire) are left out: a payer retrying
 * from another network is still placing the same order.
 */
const FINGERPRINT_FIELDS = [
  'body', 'detail', 'attach', 'total_fee', 'fee_type', 'trade_type', 'openid',
  'notify_url', 'product_id', 'goods_tag', 'limit_pay', 'device_info',
];

/** Checks a unifiedorder request's business parameters; the PARAM_ERROR description when one is wrong. */
export function parseUnifiedOrder(fields: Record<string, string>): { params: UnifiedOrderParams } | { errCodeDes: string } {
  for (const name of REQUIRED) {
    if (!fields[name]) return { errCodeDes: `缺少参数${name}` };
  }
  const { body, out_trade_no: outTradeNo, total_fee: totalFee, notify_url: notifyUrl, trade_type: tradeType } = fields;
  if (body.length > MAX_BODY_LENGTH) return { errCodeDes: 'body参数长度有误' };
  if (!OUT_TRADE_NO.test(outTradeNo)) return { errCodeDes: 'out_trade_no参数格式错误' };
  if (!POSITIVE_INTEGER.test(totalFee) || !Number.isSafeInteger(Number(totalFee))) {
    return { errCodeDes: 'total_fee参数格式错误' };
  }
  if (fields.fee_type && fields.fee_type !== 'CNY') return { errCodeDes: 'fee_type参数格式错误' };
  if (isIP(fields.spbill_create_ip) === 0) return { errCodeDes: 'spbill_create_ip参数格式错误' };
  if (!isNotifyUrl(notifyUrl)) return { errCodeDes: 'notify_url参数格式错误' };
  for (const name of [ 'time_start', 'time_expire' ]) {
    if (fields[name] && !V2_TIME.test(fields[name])) return { errCodeDes: `${name}参数格式错误` };
  }
  if (!TRADE_TYPES.includes(tradeType)) return { errCodeDes: 'trade_type参数格式错误' };
  if (tradeType === 'JSAPI' && !fields.openid) return { errCodeDes: 'JSAPI支付必须传openid' };
  if (tradeType === 'NATIVE' && !fields.product_id) return { errCodeDes: 'NATIVE支付必须传product_id' };

  const fingerprint = JSON.stringify(FINGERPRINT_FIELDS.map(name => fields[name] ?? ''));
  return {
    params: {
      body,
      outTradeNo,
      totalFee: Number(totalFee),
      notifyUrl,
      tradeType,
      openid: fields.openid || undefined,
      attach: fields.attach || undefined,
      deviceInfo: fields.device_info || undefined,
      fingerprint,
    },
  };
}
