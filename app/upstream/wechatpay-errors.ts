/**
 * The one place WeChat Pay's error codes (v2 err_code, v3 code, and our own
 * names for transport and verification failures) become API errors with an
 * HTTP status, and where each is classed as retryable (the same request may
 * succeed later) or final. Adapters throw these; services act on `errCode`.
 */
import { ApiError } from '../lib/api-error';

export class WechatPayError extends ApiError {
  constructor(status: number, code: string, message: string, readonly errCode: string, readonly retryable: boolean,
    /** false when the answer could not be believed (unsigned, unreadable): what WeChat did is unknown */
    readonly trusted = true) {
    super(status, code, message);
  }
}

interface ErrorClass {
  status: number;
  code: string;
  message: string;
  retryable: boolean;
  trusted?: false;
}

const UNAVAILABLE: ErrorClass = { status: 503, code: 'WECHATPAY_UNAVAILABLE', message: 'WeChat Pay is unavailable, try again', retryable: true };
const ALREADY_PAID: ErrorClass = { status: 409, code: 'ORDER_ALREADY_PAID', message: 'WeChat Pay says the order is already paid', retryable: false };
const CLOSED: ErrorClass = { status: 409, code: 'ORDER_CLOSED', message: 'WeChat Pay says the order is closed', retryable: false };
const NO_USED: ErrorClass = { status: 409, code: 'ORDER_NO_USED', message: 'WeChat Pay knows this order number with other parameters', retryable: false };
const NOT_FOUND: ErrorClass = { status: 404, code: 'WECHATPAY_ORDER_NOT_FOUND', message: 'WeChat Pay does not know this order', retryable: false };
const UNTRUSTED: ErrorClass = { status: 502, code: 'WECHATPAY_ERROR', message: 'WeChat Pay answered something that cannot be believed', retryable: false, trusted: false };
const REFUSED: ErrorClass = { status: 502, code: 'WECHATPAY_ERROR', message: 'WeChat Pay refused the request', retryable: false };

// v2 and v3 spell several codes differently; both spellings map alike.
const CLASSES: Record<string, ErrorClass> = {
  SYSTEMERROR: UNAVAILABLE,
  SYSTEM_ERROR: UNAVAILABLE,
  BANKERROR: UNAVAILABLE,
  BANK_ERROR: UNAVAILABLE,
  FREQUENCY_LIMITED: UNAVAILABLE,
  FREQUENCY_LIMIT_EXCEED: UNAVAILABLE,
  // refunds: WeChat asks for the same request again (same out_refund_no)
  BIZERR_NEED_RETRY: UNAVAILABLE,
  INVALID_REQ_TOO_MUCH: UNAVAILABLE,
  ORDER_NOT_READY: UNAVAILABLE,
  // ours: the platform certificates could not be had, so WeChat was not even asked
  CERTIFICATE_DOWNLOAD_FAILED: UNAVAILABLE,
  NO_PLATFORM_CERTIFICATE: UNAVAILABLE,
  // ours: a 5xx, no answer in time, no connection
  HTTP_5XX: UNAVAILABLE,
  TIMEOUT: UNAVAILABLE,
  UNREACHABLE: UNAVAILABLE,
  ORDERPAID: ALREADY_PAID,
  ORDER_PAID: ALREADY_PAID,
  ORDERCLOSED: CLOSED,
  ORDER_CLOSED: CLOSED,
  OUT_TRADE_NO_USED: NO_USED,
  OUT_TRADE_NO_USED_ERROR: NO_USED,
  ORDERNOTEXIST: NOT_FOUND,
  ORDER_NOT_EXIST: NOT_FOUND,
  RESOURCE_NOT_EXISTS: NOT_FOUND,
  REFUNDNOTEXIST: NOT_FOUND,
  // ours: a reply whose signature does not verify or that cannot be read
  BAD_SIGNATURE: UNTRUSTED,
  // v2 return_code FAIL is never signed: it says nothing we may act on for money
  RETURN_FAIL: UNTRUSTED,
  BAD_RESPONSE: UNTRUSTED,
  BAD_TRADE_STATE: UNTRUSTED,
  BAD_REFUND_STATE: UNTRUSTED,
  NO_PREPAY_ID: UNTRUSTED,
  // ours: a downloaded v3 bill whose SHA1 is not the hash_value WeChat signed
  BILL_HASH_MISMATCH: UNTRUSTED,
  // Anything else WeChat names (NOTENOUGH, TRADE_OVERDUE, USER_ACCOUNT_ABNORMAL, INVALID_REQUEST,
  // ORDERNOTEXIST, ERROR, …) is a final refusal of that request.
};

/** The API error for a WeChat Pay code; anything unknown is a final refusal (502) naming it. */
export function wechatPayError(errCode: string, detail: string): WechatPayError {
  // An HTTP status without a code of WeChat's names no decision of WeChat's.
  const known = CLASSES[errCode] ?? (/^HTTP_\d+$/.test(errCode) ? UNTRUSTED : undefined);
  if (known) {
    const message = known === UNAVAILABLE ? `${known.message} (${errCode})`
      : known === UNTRUSTED ? `${known.message} (${errCode}: ${detail})` : known.message;
    return new WechatPayError(known.status, known.code, message, errCode, known.retryable, known.trusted ?? true);
  }
  return new WechatPayError(REFUSED.status, REFUSED.code, `${REFUSED.message} (${errCode}: ${detail})`, errCode, false);
}

/** WeChat's code of an error, when it is a WechatPayError. */
export function errCodeOf(err: unknown): string | undefined {
  return err instanceof WechatPayError ? err.errCode : undefined;
}

/**
 * Whether WeChat Pay verifiably refused a request for good: neither worth
 * retrying nor an answer we could not believe. Only such a refusal lets a
 * refund be marked FAILED; anything else leaves its outcome unknown.
 */
export function isRefusal(err: unknown): err is WechatPayError {
  return err instanceof WechatPayError && !err.retryable && err.trusted;
}
