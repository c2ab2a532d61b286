import { SandboxReply } from './http';
import { nonceStr } from './wechat/nonce';
import { isV2SignType, v2Sign, v2SignMatches, V2SignType } from './wechat/v2-sign';
import { fromXml, toXml, XmlFields } from './wechat/xml';

/** What the simulated WeChat Pay knows of the merchant to check and sign v2 messages. */
export interface V2Merchant {
  appId: string;
  mchId: string;
  apiKey: string;
}

/** A v2 request whose envelope (ids, sign_type, signature, nonce) has been checked. */
export interface V2Request {
  fields: Record<string, string>;
  signType: V2SignType;
}

export const XML_CONTENT_TYPE = 'text/xml; charset=utf-8';

const MAX_NONCE_LENGTH = 32;

export function xmlReply(fields: XmlFields): SandboxReply {
  return { status: 200, headers: { 'content-type': XML_CONTENT_TYPE }, body: toXml(fields) };
}

/**
 * return_code FAIL: the request was refused before any business logic.
 * WeChat signs no such reply, since it may not even know whose key to use.
 */
export function protocolFailure(returnMsg: string): SandboxReply {
  return xmlReply({ return_code: 'FAIL', return_msg: returnMsg });
}

/** return_code SUCCESS: the merchant's ids, a fresh nonce, `fields`, signed with the request's sign type. */
export function signedReply(merchant: V2Merchant, signType: V2SignType, fields: XmlFields): SandboxReply {
  const unsigned: XmlFields = {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: merchant.appId,
    mch_id: merchant.mchId,
    nonce_str: nonceStr(),
    // MD5 is the default and goes unnamed; HMAC-SHA256 is named so the reader knows how to verify.
    sign_type: signType === 'HMAC-SHA256' ? signType : undefined,
    ...fields,
  };
  return xmlReply({ ...unsigned, sign: v2Sign(unsigned, merchant.apiKey, signType) });
}

/** return_code SUCCESS but result_code FAIL: WeChat's business error, signed. */
export function businessFailure(
  merchant: V2Merchant,
  signType: V2SignType,
  errCode: string,
  errCodeDes: string,
): SandboxReply {
  return signedReply(merchant, signType, { result_code: 'FAIL', err_code: errCode, err_code_des: errCodeDes });
}

/**
 * Parses a v2 request and checks its envelope the way api.mch.weixin.qq.com
 * does: XML, the merchant's appid and mch_id, sign_type (absent means MD5),
 * nonce_str, and the signature with the merchant's API key.
 */
export function readV2Request(body: string, merchant: V2Merchant): { request: V2Request } | { reply: SandboxReply } {
  let fields: Record<string, string>;
  try {
    fields = fromXml(body);
  } catch {
    return { reply: protocolFailure('XML格式错误') };
  }
  for (const name of [ 'appid', 'mch_id', 'nonce_str', 'sign' ]) {
    if (!fields[name]) return { reply: protocolFailure(`缺少参数${name}`) };
  }
  if (fields.appid !== merchant.appId || fields.mch_id !== merchant.mchId) {
    return { reply: protocolFailure('appid和mch_id不匹配') };
  }
  const signType = fields.sign_type === undefined || fields.sign_type === '' ? 'MD5' : fields.sign_type;
  if (!isV2SignType(signType)) return { reply: protocolFailure('sign_type参数格式错误') };
  if (fields.nonce_str.length > MAX_NONCE_LENGTH) return { reply: protocolFailure('nonce_str参数长度有误') };
  if (!v2SignMatches(fields, merchant.apiKey, signType)) return { reply: protocolFailure('签名错误') };
  return { request: { fields, signType } };
}
