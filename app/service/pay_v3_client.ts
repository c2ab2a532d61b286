import { Service } from 'egg';
import { createWriteStream } from 'node:fs';
import { parseJsonObject } from '../lib/json-object';
import { createNonce, unixTimestamp } from '../lib/wxpay/nonce';
import { signJsapiPayment } from '../lib/wxpay/v3-pay-sign';
import { decryptPlatformCertificates, PlatformCertificate, PlatformCertificateEntry, WechatpayKeyStore } from '../lib/wxpay/v3-keys';
import {
  buildAuthorization, IncomingHeaders, PublicKeyResolver, verifyWechatpaySignature, WechatpayVerifyError, WechatpayVerifyErrorCode,
} from '../lib/wxpay/v3-signature';
import {
  isGzipMagic, isTradeState, PrepayRequest, RequestPaymentParams, TradeBillDownload, TradeReport, v3TradeReport,
} from '../lib/wxpay/gateway';
import { formatV3Time } from '../lib/wxpay/time';
import { RefundReport, RefundRequest, v3RefundReport, v3RefundState } from '../lib/wxpay/refund';
import { readErrorBody, readFileHead, sha1OfBill } from '../upstream/bill-file';
import { callUpstream, HttpClient, RawReply } from '../upstream/request';
import { errCodeOf, wechatPayError } from '../upstream/wechatpay-errors';
import type { WechatpayKeyRing } from '../upstream/wechatpay-key-ring';

const USER_AGENT = 'wxpay-merchant/0.1 (Pay API v3; Node.js)';
const NOT_FOUND_CODES = new Set([ 'ORDER_NOT_EXIST', 'RESOURCE_NOT_EXISTS', 'ORDERNOTEXIST' ]);
const ALREADY_CLOSED_CODES = new Set([ 'ORDER_CLOSED', 'ORDERCLOSED', ...NOT_FOUND_CODES ]);

type JsonObject = Record<string, unknown>;

// A bill of a million rows is tens of megabytes of gzip: its download may take far longer than a call.
const BILL_DOWNLOAD_TIMEOUT_MS = 5 * 60_000;
const SHA1_HEX = /^[0-9a-f]{40}$/i;

/** A download's options: the reply's body goes to a file, and may take longer than a call. */
interface Download {
  writeStream: NodeJS.WritableStream;
  responseTimeoutMs: number;
}

/** The Wechatpay-Serial of a reply, for the unknown-serial refresh. */
function serialOf(headers: IncomingHeaders): string | undefined {
  const value = headers['wechatpay-serial'];
  return typeof value === 'string' ? value : undefined;
}

/** Checks a reply's Wechatpay-* signature over its raw body; the failure's code, or undefined when it verifies. */
function signatureFailure(reply: RawReply, keys: PublicKeyResolver): WechatpayVerifyErrorCode | undefined {
  try {
    verifyWechatpaySignature({ headers: reply.headers, body: reply.text, keys });
    return undefined;
  } catch (err) {
    if (err instanceof WechatpayVerifyError) return err.code;
    throw err;
  }
}

/**
 * Adapter for WeChat Pay API v3 (JSON over HTTPS, SHA256withRSA both ways).
 * Requests carry a WECHATPAY2-SHA256-RSA2048 Authorization over the exact
 * bytes sent; every reply, errors included, is checked against the WeChat Pay
 * public key or a platform certificate (the credentials' key ring) before
 * anything in it is believed.
 */
export default class PayV3ClientService extends Service {
  /** JSAPI prepay; returns the prepay_id. */
  async createPrepay(request: PrepayRequest): Promise<string> {
    const { mchId, notifyUrl } = this.config.wxpay;
    const reply = await this.call('prepay', 'POST', '/v3/pay/transactions/jsapi', {
      appid: this.config.wechat.appId,
      mchid: mchId,
      description: request.description,
      out_trade_no: request.orderNo,
      time_expire: formatV3Time(request.expiresAt),
      notify_url: notifyUrl,
      amount: { total: request.amount, currency: 'CNY' },
      payer: { openid: request.openid },
    }, request.orderNo);
    const prepayId = reply?.prepay_id;
    if (typeof prepayId !== 'string' || prepayId === '') {
      throw wechatPayError('NO_PREPAY_ID', 'prepay answered without prepay_id');
    }
    return prepayId;
  }

  /** wx.requestPayment parameters, paySign made with the merchant private key (signType RSA). */
  buildPaymentParams(prepayId: string): RequestPaymentParams {
    return signJsapiPayment({
      appId: this.config.wechat.appId,
      timeStamp: unixTimestamp(),
      nonceStr: createNonce(),
      package: `prepay_id=${prepayId}`,
    }, this.app.wechatPayCredentials.v3.signer.privateKey);
  }

  /** Order query by out_trade_no; an order WeChat does not know is NOT_FOUND. */
  async queryTrade(orderNo: string): Promise<TradeReport> {
    const mchid = encodeURIComponent(this.config.wxpay.mchId);
    let transaction: JsonObject | undefined;
    try {
      transaction = await this.call('query', 'GET', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(orderNo)}?mchid=${mchid}`, undefined, orderNo);
    } catch (err) {
      if (NOT_FOUND_CODES.has(errCodeOf(err) ?? '')) return { orderNo, state: 'NOT_FOUND' };
      throw err;
    }
    if (!transaction || !isTradeState(transaction.trade_state)) {
      throw wechatPayError('BAD_TRADE_STATE', `query answered trade_state ${String(transaction?.trade_state)}`);
    }
    if (transaction.out_trade_no !== orderNo) throw wechatPayError('BAD_RESPONSE', 'query answered about another order');
    return v3TradeReport(transaction, transaction.trade_state);
  }

  /** Close by out_trade_no; an order WeChat never saw or already closed counts as closed. */
  async closeTrade(orderNo: string): Promise<void> {
    try {
      await this.call('close', 'POST', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(orderNo)}/close`,
        { mchid: this.config.wxpay.mchId }, orderNo);
    } catch (err) {
      if (ALREADY_CLOSED_CODES.has(errCodeOf(err) ?? '')) return;
      throw err;
    }
  }

  /** POST /v3/refund/domestic/refunds; amount.total is always the original transaction's total. */
  async refund(request: RefundRequest): Promise<RefundReport> {
    const refund = await this.call('refund', 'POST', '/v3/refund/domestic/refunds', {
      transaction_id: request.transactionId,
      out_refund_no: request.refundNo,
      ...(request.reason ? { reason: request.reason } : {}),
      notify_url: request.notifyUrl,
      amount: { refund: request.amount, total: request.total, currency: 'CNY' },
    }, request.refundNo);
    return this.refundReport(refund, request.refundNo);
  }

  /** GET /v3/refund/domestic/refunds/{out_refund_no}. */
  async queryRefund(refundNo: string): Promise<RefundReport | 'NOT_FOUND'> {
    let refund: JsonObject | undefined;
    try {
      refund = await this.call('refundquery', 'GET', `/v3/refund/domestic/refunds/${encodeURIComponent(refundNo)}`, undefined, refundNo);
    } catch (err) {
      if (NOT_FOUND_CODES.has(errCodeOf(err) ?? '')) return 'NOT_FOUND';
      throw err;
    }
    return this.refundReport(refund, refundNo);
  }

  private refundReport(refund: JsonObject | undefined, refundNo: string): RefundReport {
    const state = v3RefundState(refund?.status);
    if (!refund || !state) throw wechatPayError('BAD_REFUND_STATE', `refund answered status ${String(refund?.status)}`);
    if (refund.out_refund_no !== refundNo) throw wechatPayError('BAD_RESPONSE', 'refund answered about another refund');
    return v3RefundReport(refund, state);
  }

  /**
   * The ALL trade bill of a Beijing day, streamed into `file`: GET
   * /v3/bill/tradebill (signed, its reply verified like every reply), then a
   * signed GET of its download_url, whose reply WeChat does not sign and
   * which is therefore not verified: it is believed only when the SHA1 of
   * its decompressed text equals the verified hash_value.
   */
  async downloadTradeBill(date: string, file: string): Promise<TradeBillDownload> {
    let bill: JsonObject | undefined;
    try {
      bill = await this.call('tradebill', 'GET', `/v3/bill/tradebill?bill_date=${encodeURIComponent(date)}&bill_type=ALL&tar_type=GZIP`,
        undefined, date);
    } catch (err) {
      const code = errCodeOf(err);
      if (code === 'NO_STATEMENT_EXIST') return { state: 'EMPTY' };
      if (code === 'STATEMENT_CREATING') return { state: 'CREATING' };
      throw err;
    }
    const { hash_type: hashType, hash_value: hashValue, download_url: downloadUrl } = bill ?? {};
    if (typeof hashType !== 'string' || hashType.toUpperCase() !== 'SHA1' || typeof hashValue !== 'string' || !SHA1_HEX.test(hashValue)
      || typeof downloadUrl !== 'string' || !/^https?:\/\//.test(downloadUrl)) {
      throw wechatPayError('BAD_RESPONSE', 'tradebill answered without a SHA1 hash_value and a download_url');
    }
    const { timeoutMs } = this.config.wxpay;
    const out = createWriteStream(file);
    await this.send('billdownload', 'GET', new URL(downloadUrl), undefined, date, async reply => {
      // Unsigned whatever it says: an error is read for its code only.
      if (reply.status !== 200) {
        const error = parseJsonObject(await readErrorBody(file));
        const code = typeof error?.code === 'string' ? error.code : `HTTP_${reply.status}`;
        if (reply.status >= 500) throw wechatPayError('HTTP_5XX', `HTTP ${reply.status} ${code}`);
        throw wechatPayError(code, typeof error?.message === 'string' ? error.message : `HTTP ${reply.status}`);
      }
      return { value: undefined, code: 'DOWNLOADED' };
    }, { writeStream: out, responseTimeoutMs: Math.max(timeoutMs, BILL_DOWNLOAD_TIMEOUT_MS) })
      // A call that failed before the reply came never closes the file: close it whatever happened.
      .finally(() => out.destroy());
    const gzip = isGzipMagic(await readFileHead(file, 2));
    const actual = await sha1OfBill(file, gzip);
    if (actual !== hashValue.toLowerCase()) {
      this.logger.error('[PayV3Client.downloadTradeBill:hash] date: %s: the SHA1 of the bill does not match hash_value', date);
      throw wechatPayError('BILL_HASH_MISMATCH', `the bill's SHA1 ${actual} is not the hash_value ${hashValue}`);
    }
    return { state: 'READY', gzip };
  }

  /**
   * GET /v3/certificates, for the key ring. The list is encrypted with the
   * APIv3 key, and its reply is signed by one of the certificates in it:
   * decrypting proves it came from WeChat Pay (only WeChat and we hold the
   * key), and the signature is then checked with the certificates just
   * decrypted, as WeChat prescribes.
   */
  async downloadCertificates(ring: WechatpayKeyRing): Promise<PlatformCertificate[]> {
    const { apiV3Key } = this.app.wechatPayCredentials.v3;
    return this.request('certificates', 'GET', '/v3/certificates', undefined, '-', reply => {
      // Not yet verifiable, so its code is not believed.
      if (reply.status !== 200) throw wechatPayError(reply.status >= 500 ? 'HTTP_5XX' : 'CERTIFICATE_DOWNLOAD_FAILED', `HTTP ${reply.status}`);
      let certificates: PlatformCertificate[];
      try {
        certificates = decryptPlatformCertificates(parseJsonObject(reply.text)?.data as PlatformCertificateEntry[], apiV3Key);
      } catch (err) {
        this.logger.error('[PayV3Client.certificates:invalid] %s', (err as Error).message);
        throw wechatPayError('BAD_SIGNATURE', 'the platform certificates cannot be decrypted with the APIv3 key');
      }
      const failure = signatureFailure(reply, new WechatpayKeyStore({ publicKey: ring.publicKey, certificates }));
      if (failure) throw wechatPayError('BAD_SIGNATURE', `the certificate list is not signed by WeChat Pay (${failure})`);
      if (certificates.length === 0) throw wechatPayError('NO_PLATFORM_CERTIFICATE', 'WeChat Pay listed no valid platform certificate');
      return { value: certificates, code: certificates.map(cert => cert.serial).join(',') };
    });
  }

  /** One signed call whose reply is verified, then read: 2xx gives its JSON (undefined for 204), an error throws. */
  private async call(operation: string, method: 'GET' | 'POST', pathWithQuery: string, payload: JsonObject | undefined, orderNo: string): Promise<JsonObject | undefined> {
    const { keyRing } = this.app.wechatPayCredentials.v3;
    // Before the call: certificate-only mode needs its keys before it can believe any reply.
    await keyRing.keys();
    return this.request(operation, method, pathWithQuery, payload === undefined ? undefined : JSON.stringify(payload), orderNo, async reply => {
      let failure = signatureFailure(reply, await keyRing.keys());
      const serial = serialOf(reply.headers);
      if (failure === 'SERIAL_UNKNOWN' && serial !== undefined) failure = signatureFailure(reply, await keyRing.keys(serial));
      if (failure) {
        // A gateway in front of WeChat Pay answers unsigned 5xx pages: nothing in it is believed, but a retry may succeed.
        if (reply.status >= 500) throw wechatPayError('HTTP_5XX', `HTTP ${reply.status}`);
        this.logger.error('[PayV3Client.%s:signature] orderNo: %s, status: %d, reason: %s: reply signature does not verify',
          operation, orderNo, reply.status, failure);
        throw wechatPayError('BAD_SIGNATURE', 'the answer is not signed by WeChat Pay');
      }
      const body = reply.text === '' ? undefined : parseJsonObject(reply.text);
      if (reply.text !== '' && !body) throw wechatPayError(reply.status >= 500 ? 'HTTP_5XX' : 'BAD_RESPONSE', 'the answer is not a JSON object');
      const code = typeof body?.code === 'string' ? body.code : undefined;
      // A 2xx naming a code (202 USERPAYING, for one) is not a success.
      if (reply.status >= 200 && reply.status < 300 && code === undefined) return { value: body };
      const message = typeof body?.message === 'string' ? body.message : `HTTP ${reply.status}`;
      const error = wechatPayError(code ?? `HTTP_${reply.status}`, message);
      // Whatever WeChat names it, a 5xx is WeChat's trouble and the same call may succeed later.
      if (reply.status >= 500 && !error.retryable) throw wechatPayError('HTTP_5XX', `HTTP ${reply.status} ${code ?? ''}`.trim());
      throw error;
    });
  }

  /** A request to a path of the API base; see send. */
  private request<T>(operation: string, method: 'GET' | 'POST', pathWithQuery: string, body: string | undefined, ref: string,
    read: (reply: RawReply) => Promise<{ value: T; code?: string }> | { value: T; code?: string }): Promise<T> {
    const url = new URL(this.config.wxpay.apiBase.replace(/\/+$/, '') + pathWithQuery);
    return this.send(operation, method, url, body, ref, read);
  }

  /** The one request function: signs exactly the path, query and body sent, and reads the reply with `read`. */
  private send<T>(operation: string, method: 'GET' | 'POST', url: URL, body: string | undefined, ref: string,
    read: (reply: RawReply) => Promise<{ value: T; code?: string }> | { value: T; code?: string }, download?: Download): Promise<T> {
    const { timeoutMs } = this.config.wxpay;
    // WeChat checks the signature over the path it receives, so sign exactly the path and query of the URL sent.
    const authorization = buildAuthorization(this.app.wechatPayCredentials.v3.signer, method, url.pathname + url.search,
      body ?? '', unixTimestamp(), createNonce());
    const headers: Record<string, string> = { accept: 'application/json', authorization, 'user-agent': USER_AGENT };
    if (method === 'POST') headers['content-type'] = 'application/json';
    return callUpstream<T>(this.app.curl.bind(this.app) as HttpClient, this.logger, {
      upstream: 'wechatpay.v3',
      operation,
      ref,
      url: url.href,
      method,
      headers,
      content: body,
      timeoutMs,
      ...download,
      transportError: failure => wechatPayError(failure, 'no answer'),
      read,
    }, this.app.metrics.upstreamCalled);
  }
}
