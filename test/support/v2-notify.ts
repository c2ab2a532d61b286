import { MockApplication } from 'egg-mock';
import { nonceStr } from '../../sandbox/wechat/nonce';
import { v2Sign } from '../../sandbox/wechat/v2-sign';
import { fromXml, toXml } from '../../sandbox/wechat/xml';

/**
 * A v2 payment notify built the way WeChat Pay builds one, with the
 * simulator's WeChat-side signing and XML: nothing is shared with the
 * service, so a mistake on one side cannot hide behind the same on the other.
 */
export function buildV2Notify(app: MockApplication, fields: Record<string, string | number | undefined>,
  options: { key?: string; sign?: string } = {}): string {
  const { wechat, wxpay } = app.config;
  const params: Record<string, string | number | undefined> = {
    appid: wechat.appId,
    mch_id: wxpay.mchId,
    nonce_str: nonceStr(),
    return_code: 'SUCCESS',
    result_code: 'SUCCESS',
    openid: 'oSANDBOXopenid',
    is_subscribe: 'N',
    trade_type: 'JSAPI',
    bank_type: 'OTHERS',
    fee_type: 'CNY',
    time_end: '20261122153000',
    sign_type: wxpay.signType === 'MD5' ? undefined : wxpay.signType,
    ...fields,
  };
  params.sign = options.sign ?? v2Sign(params, options.key ?? wxpay.apiKey, wxpay.signType);
  return toXml(params);
}

/** POSTs a notify over real HTTP to the configured notify_url, as WeChat Pay does. */
export async function postV2Notify(app: MockApplication, body: string | Buffer) {
  const res = await fetch(app.config.wxpay.notifyUrl, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body,
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', reply: text ? fromXml(text) : {} };
}
