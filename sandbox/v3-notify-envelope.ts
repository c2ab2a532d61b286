import { createHash } from 'node:crypto';
import { NotifyMessage } from './notify-delivery';
import { WechatpayReplySigner } from './v3-reply';
import { sealResource } from './wechat/aes-gcm';
import { nonceStr } from './wechat/nonce';
import { V3_AUTH_SCHEME } from './wechat/v3-authorization';

/** What a v3 notify says, before it is encrypted and signed. */
export interface V3NotifyContent {
  /** the notify's id: stable across retries of one event, so merchants can spot repeats */
  id: string;
  create_time: string;
  event_type: string;
  summary: string;
  /** `transaction` or `refund`: also the resource's associated_data, as WeChat sends it */
  original_type: string;
  /** the plaintext resource */
  resource: Record<string, unknown>;
}

/** A UUID-shaped id derived from `seed`: the same event always gets the same id. */
export function notifyId(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A v3 notify as WeChat Pay sends every kind of them: a JSON envelope whose
 * resource is encrypted with the APIv3 key (AEAD_AES_256_GCM), signed in
 * Wechatpay-* headers over the exact body, afresh for every attempt.
 */
export function v3NotifyMessage(content: V3NotifyContent, apiV3Key: string, signer: WechatpayReplySigner | undefined): NotifyMessage {
  if (!signer) throw new Error('v3 is off in this sandbox: no WeChat Pay signing key');
  const sealed = sealResource(JSON.stringify(content.resource), apiV3Key, nonceStr(12), content.original_type);
  const body = JSON.stringify({
    id: content.id,
    create_time: content.create_time,
    resource_type: 'encrypt-resource',
    event_type: content.event_type,
    summary: content.summary,
    resource: {
      original_type: content.original_type,
      algorithm: sealed.algorithm,
      ciphertext: sealed.ciphertext,
      associated_data: sealed.associated_data,
      nonce: sealed.nonce,
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

/** v3 notifies are acknowledged by HTTP 200 or 204, whatever the body. */
export function isV3Acknowledged(status: number): boolean {
  return status === 200 || status === 204;
}
