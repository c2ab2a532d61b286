import { empty } from './responses';
import type { MediaType, Operation, Parameter, PathItem, Response, Schema } from './types';

/**
 * WeChat Pay's callbacks. These are called by WeChat Pay, not by clients: the
 * body is read raw (signatures cover the exact bytes, 1 MB at most) and every
 * request leaves a payment_events row. Nothing is acknowledged that was not
 * committed: a failure on our side answers FAIL (v2) or 5xx (v3) so WeChat
 * Pay delivers again.
 */

const text = (description: string): Schema => ({ type: 'string', description });

/** WeChat Pay v2 XML: one <xml> element whose children are the fields. */
function xmlObject(description: string, properties: Record<string, Schema>, required: string[]): Schema {
  return { type: 'object', description, xml: { name: 'xml' }, properties, required };
}

const V2_PAY_NOTIFY = xmlObject('a v2 payment notify, signed with the v2 API key (MD5 or HMAC-SHA256 per sign_type)', {
  return_code: text('SUCCESS, else the notify carries no result'),
  return_msg: text('why return_code is FAIL'),
  appid: text('must be our mini-program'),
  mch_id: text('must be our merchant'),
  nonce_str: text('random'),
  sign: text('signature of every other non-empty field'),
  sign_type: text('present when HMAC-SHA256; must be the configured type'),
  result_code: text('SUCCESS: paid; FAIL: a failed payment, recorded and acknowledged'),
  err_code: text('with result_code FAIL'),
  err_code_des: text('with result_code FAIL'),
  openid: text('the payer'),
  trade_type: text('JSAPI'),
  bank_type: text("the payer's bank"),
  total_fee: text('fen; must equal the order amount'),
  cash_fee: text('fen'),
  transaction_id: text("WeChat Pay's transaction id"),
  out_trade_no: text('our orderNo'),
  time_end: text('yyyyMMddHHmmss, Beijing time'),
}, [ 'return_code' ]);

const V2_REFUND_NOTIFY = xmlObject('a v2 refund notify: not signed; req_info is encrypted', {
  return_code: text('SUCCESS, else the notify carries no result'),
  return_msg: text('why return_code is FAIL'),
  appid: text('must be our mini-program'),
  mch_id: text('must be our merchant'),
  nonce_str: text('random'),
  req_info: text('base64 of AES-256-ECB (PKCS#7; key: lowercase hex MD5 of the v2 API key) of an XML with transaction_id, out_trade_no, refund_id, out_refund_no, total_fee, refund_fee, settlement_refund_fee, refund_status (SUCCESS, CHANGE, REFUNDCLOSE), success_time, refund_recv_accout, refund_account, refund_request_source'),
}, [ 'return_code' ]);

const V2_REPLY = xmlObject('the acknowledgement WeChat Pay reads', {
  return_code: { type: 'string', enum: [ 'SUCCESS', 'FAIL' ], description: 'SUCCESS: committed (or a duplicate); FAIL: refused or failed, WeChat Pay delivers again' },
  return_msg: text('OK, or the reason of a FAIL'),
}, [ 'return_code', 'return_msg' ]);

const V3_ENVELOPE: Schema = {
  type: 'object',
  description: 'the v3 notify envelope; its resource is AES-256-GCM encrypted with the APIv3 key',
  required: [ 'id', 'event_type', 'resource' ],
  properties: {
    id: text('the notify id'),
    create_time: text('RFC 3339'),
    event_type: text('TRANSACTION.SUCCESS; refunds: REFUND.SUCCESS, REFUND.ABNORMAL, REFUND.CLOSED'),
    resource_type: text('encrypt-resource'),
    summary: text('for people'),
    resource: {
      type: 'object',
      required: [ 'algorithm', 'ciphertext', 'nonce' ],
      properties: {
        algorithm: text('AEAD_AES_256_GCM'),
        original_type: text('transaction, or refund'),
        ciphertext: text('base64'),
        associated_data: text('authenticated, not encrypted'),
        nonce: text('the GCM nonce'),
      },
    },
  },
};

const V3_HEADERS: Parameter[] = [
  { name: 'Wechatpay-Signature', in: 'header', required: true, schema: { type: 'string' }, description: 'base64 SHA256-RSA of timestamp, nonce and body, one per line' },
  { name: 'Wechatpay-Timestamp', in: 'header', required: true, schema: { type: 'string', pattern: '^\\d+$' }, description: 'seconds; refused outside ±300 s of our clock' },
  { name: 'Wechatpay-Nonce', in: 'header', required: true, schema: { type: 'string' } },
  {
    name: 'Wechatpay-Serial', in: 'header', required: true, schema: { type: 'string' },
    description: 'the key that signed: WECHATPAY_PUBLIC_KEY_ID selects the WeChat Pay public key, any other a platform certificate',
  },
];

const XML_TYPES = [ 'text/xml', 'application/xml' ];
const xmlContent = (schema: Schema): Record<string, MediaType> => Object.fromEntries(XML_TYPES.map(type => [ type, { schema }]));

const v2Replies = (): Record<string, Response> => ({
  200: { ...empty('XML SUCCESS (committed, or a duplicate) or FAIL with a reason (a failed check, or our failure: delivered again)'), content: { 'text/xml': { schema: V2_REPLY } } },
  413: { ...empty('XML FAIL: the body is over 1 MB'), content: { 'text/xml': { schema: V2_REPLY } } },
});

const v3Fail = (description: string): Response => ({
  ...empty(description),
  content: {
    'application/json': {
      schema: {
        type: 'object', required: [ 'code', 'message' ], additionalProperties: false,
        properties: { code: { const: 'FAIL' }, message: { type: 'string' } },
      },
    },
  },
});

const v3Replies = (): Record<string, Response> => ({
  204: empty('committed (or a duplicate, or a stale report): acknowledged'),
  400: v3Fail('from WeChat Pay (or not verifiable) but unusable: a body that cannot be decrypted or parsed, not ours, an amount that does not match'),
  401: v3Fail('a signature or timestamp that does not verify'),
  413: v3Fail('the body is over 1 MB'),
  500: v3Fail('our failure (the database, the deadline): WeChat Pay delivers again'),
});

function notifyOperation(operationId: string, summary: string, description: string, more: Partial<Operation>): { post: Operation } {
  return { post: { operationId, summary, description, tags: [ 'notify' ], responses: {}, ...more } };
}

export const notifyPaths: Record<string, PathItem> = {
  '/api/pay/notify': notifyOperation('payNotifyV2', 'WeChat Pay v2 payment notify', 'Verified (signature, appid, mch_id, order, amount) then applied once: PENDING → PAID by compare-and-set.', {
    requestBody: { required: true, content: xmlContent(V2_PAY_NOTIFY) },
    responses: v2Replies(),
  }),
  '/api/pay/notify/v3': notifyOperation('payNotifyV3', 'WeChat Pay v3 payment notify', 'Signature headers verified, resource decrypted, then applied once.', {
    parameters: V3_HEADERS,
    requestBody: { required: true, content: { 'application/json': { schema: V3_ENVELOPE } } },
    responses: v3Replies(),
  }),
  '/api/pay/refund-notify': notifyOperation('refundNotifyV2', 'WeChat Pay v2 refund notify', 'req_info decrypted; refused unless appid/mch_id are ours and the refund (or, made by hand in the merchant platform, its order and transaction) is ours with matching amounts.', {
    requestBody: { required: true, content: xmlContent(V2_REFUND_NOTIFY) },
    responses: v2Replies(),
  }),
  '/api/pay/refund-notify/v3': notifyOperation('refundNotifyV3', 'WeChat Pay v3 refund notify (and the v2 XML form)', 'v3: REFUND.SUCCESS, REFUND.ABNORMAL or REFUND.CLOSED, verified and decrypted; refunds only move forward. With a v2 API key configured, an XML body is the v2 form (WeChat Pay sends it for refunds made by hand) and is answered as /api/pay/refund-notify answers it: HTTP 200, XML.', {
    parameters: V3_HEADERS.map(header => ({ ...header, required: false, description: `${header.description ?? ''} (required for the JSON form)`.trim() })),
    requestBody: { required: true, content: { 'application/json': { schema: V3_ENVELOPE }, ...xmlContent(V2_REFUND_NOTIFY) } },
    responses: {
      ...v3Replies(),
      200: v2Replies()[200],
      413: { ...v3Fail('the body is over 1 MB'), description: 'the body is over 1 MB (JSON FAIL: the form cannot be told without the body)' },
    },
  }),
};
