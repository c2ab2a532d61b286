import { TradeReport, v3TradeReport } from './gateway';
import { parseJsonObject } from '../json-object';
import { ORDER_NO_PATTERN } from '../order-no';
import { decryptResource, EncryptedResource, ResourceDecryptError } from './v3-resource';
import {
  IncomingHeaders, PublicKeyResolver, verifyWechatpaySignature, WechatpayVerifyError, WechatpayVerifyErrorCode,
} from './v3-signature';

/** The only event this service acts on; WeChat Pay sends payment notifies for successful payments only. */
export const PAID_EVENT_TYPE = 'TRANSACTION.SUCCESS';

export interface V3NotifyInput {
  headers: IncomingHeaders;
  /** the body exactly as received: the signature covers these bytes */
  rawBody: string;
  keys: PublicKeyResolver;
  apiV3Key: string;
  appId: string;
  mchId: string;
  /** current time in ms (default Date.now()), for the ±300 s timestamp window */
  now?: number;
}

/** A notify that passed every check that does not need the database. */
export interface VerifiedV3Notify {
  ok: true;
  report: TradeReport & { transactionId: string; amount: number };
}

export type V3NotifyRejection =
  | WechatpayVerifyErrorCode
  | 'BODY_INVALID'
  | 'EVENT_UNSUPPORTED'
  | 'RESOURCE_INVALID'
  | 'TRANSACTION_INVALID'
  | 'APPID_MISMATCH'
  | 'MCHID_MISMATCH';

export interface RejectedV3Notify {
  ok: false;
  /** 401: not provably from WeChat Pay; 400: from WeChat Pay (or unverifiable) but unusable */
  status: 400 | 401;
  /** stable code recorded in payment_events.outcome */
  code: V3NotifyRejection;
  reason: string;
  orderNo?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function reject(status: 400 | 401, code: V3NotifyRejection, reason: string, orderNo?: string): RejectedV3Notify {
  return orderNo === undefined ? { ok: false, status, code, reason } : { ok: false, status, code, reason, orderNo };
}

export type V3NotifyEnvelopeResult =
  | { ok: true; eventType: string; resource: Record<string, unknown> }
  | RejectedV3Notify;

/**
 * What every v3 notify goes through, in the order that keeps forgeries
 * cheap to turn away: signature headers over the raw body (timestamp window,
 * known serial) → JSON envelope → an event type we act on → AES-256-GCM
 * resource of the expected original type, decrypted with the APIv3 key and
 * parsed. A misconfigured key (not the notify's fault) throws, so the caller
 * answers 5xx and WeChat retries.
 */
export function openV3Notify(input: V3NotifyInput, eventTypes: readonly string[], originalType: string): V3NotifyEnvelopeResult {
  try {
    verifyWechatpaySignature({ headers: input.headers, body: input.rawBody, keys: input.keys, now: input.now });
  } catch (err) {
    if (err instanceof WechatpayVerifyError) return reject(401, err.code, err.message);
    throw err;
  }

  const envelope = parseJsonObject(input.rawBody);
  if (!envelope) return reject(400, 'BODY_INVALID', 'body is not a JSON object');
  if (typeof envelope.event_type !== 'string' || !eventTypes.includes(envelope.event_type)) {
    const eventType = typeof envelope.event_type === 'string' ? envelope.event_type.slice(0, 64) : 'missing';
    return reject(400, 'EVENT_UNSUPPORTED', `event_type ${eventType} is not ${eventTypes.join(' or ')}`);
  }
  const resource = envelope.resource;
  if (!isObject(resource)) return reject(400, 'RESOURCE_INVALID', 'resource missing');
  if (resource.original_type !== undefined && resource.original_type !== originalType) {
    return reject(400, 'RESOURCE_INVALID', `resource original_type is not ${originalType}`);
  }

  let plaintext: string;
  try {
    plaintext = decryptResource(resource as unknown as EncryptedResource, input.apiV3Key);
  } catch (err) {
    // A key of the wrong length is our configuration, not the notify: let it surface as a server error.
    if (err instanceof ResourceDecryptError && err.code !== 'KEY_INVALID') {
      return reject(400, 'RESOURCE_INVALID', `resource cannot be decrypted (${err.code})`);
    }
    throw err;
  }
  const decrypted = parseJsonObject(plaintext);
  if (!decrypted) return reject(400, 'TRANSACTION_INVALID', 'decrypted resource is not a JSON object');
  return { ok: true, eventType: envelope.event_type, resource: decrypted };
}

/**
 * Checks a v3 payment notify: the envelope (openV3Notify) of a
 * TRANSACTION.SUCCESS, then the transaction is a success, for our appid and
 * mchid, with an amount and a transaction_id. Pure: the order's existence and
 * amount are the service's.
 */
export function verifyV3Notify(input: V3NotifyInput): VerifiedV3Notify | RejectedV3Notify {
  const opened = openV3Notify(input, [ PAID_EVENT_TYPE ], 'transaction');
  if (!opened.ok) return opened;
  const transaction = opened.resource;
  const orderNo = typeof transaction.out_trade_no === 'string' && ORDER_NO_PATTERN.test(transaction.out_trade_no)
    ? transaction.out_trade_no
    : undefined;
  if (transaction.appid !== input.appId) return reject(400, 'APPID_MISMATCH', 'appid is not ours', orderNo);
  if (transaction.mchid !== input.mchId) return reject(400, 'MCHID_MISMATCH', 'mchid is not ours', orderNo);
  if (!orderNo) return reject(400, 'TRANSACTION_INVALID', 'out_trade_no missing or malformed');
  if (transaction.trade_state !== 'SUCCESS') {
    return reject(400, 'TRANSACTION_INVALID', 'trade_state of a TRANSACTION.SUCCESS notify is not SUCCESS', orderNo);
  }
  const report = v3TradeReport(transaction, 'SUCCESS');
  if (report.amount === undefined || report.transactionId === undefined) {
    return reject(400, 'TRANSACTION_INVALID', 'amount.total or transaction_id missing or malformed', orderNo);
  }
  return { ok: true, report: { ...report, transactionId: report.transactionId, amount: report.amount } };
}
