import { Application, Service } from 'egg';
import { isTimeoutError } from '../lib/http-client-error';
import { parseJsonObject } from '../lib/json-object';
import { createNonce, unixTimestamp } from '../lib/wxpay/nonce';
import { signJsapiPayment } from '../lib/wxpay/v3-pay-sign';
import {
  decryptPlatformCertificates, loadPrivateKey, loadPublicKey, PlatformCertificate, PlatformCertificateEntry,
  WechatpayKeyStore, WechatpayPublicKey,
} from '../lib/wxpay/v3-keys';
import {
  buildAuthorization, IncomingHeaders, MerchantSigner, PublicKeyResolver, verifyWechatpaySignature,
  WechatpayVerifyError, WechatpayVerifyErrorCode,
} from '../lib/wxpay/v3-signature';
import {
  formatV3Time, isTradeState, PrepayRequest, RequestPaymentParams, TradeReport, v3TradeReport, wechatPayError, WechatPayError,
} from '../lib/wxpay/gateway';

const USER_AGENT = 'wxpay-merchant/0.1 (Pay API v3; Node.js)';
/** Platform certificates are downloaded again after this long (WeChat rotates them with overlap). */
const CERTIFICATE_REFRESH_MS = 12 * 3600_000;
/** An unknown Wechatpay-Serial triggers a download at most this often, so forged serials cannot flood WeChat. */
const UNKNOWN_SERIAL_REFRESH_MS = 60_000;
const NOT_FOUND_CODES = new Set([ 'ORDER_NOT_EXIST', 'RESOURCE_NOT_EXISTS', 'ORDERNOTEXIST' ]);
const ALREADY_CLOSED_CODES = new Set([ 'ORDER_CLOSED', 'ORDERCLOSED', ...NOT_FOUND_CODES ]);

type JsonObject = Record<string, unknown>;

interface RawReply {
  status: number;
  headers: IncomingHeaders;
  text: string;
}

/**
 * The keys that verify WeChat Pay: the configured WeChat Pay public key, and
 * platform certificates downloaded from /v3/certificates — required when no
 * public key is configured, fetched on demand (an unknown serial) otherwise,
 * and refreshed every 12 h once held. Concurrent downloads share one request.
 */
class WechatpayKeyRing {
  readonly store: WechatpayKeyStore;
  readonly certificatesRequired: boolean;
  private downloadedAt?: number;
  private onDemandAt = -Infinity;
  private download?: Promise<void>;

  constructor(readonly publicKey: WechatpayPublicKey | undefined) {
    this.store = new WechatpayKeyStore({ publicKey });
    this.certificatesRequired = !publicKey;
  }

  /** None held yet in certificate-only mode, or the last download is older than the refresh period. */
  needsRefresh(now: number): boolean {
    if (this.downloadedAt === undefined) return this.certificatesRequired;
    return now - this.downloadedAt >= CERTIFICATE_REFRESH_MS;
  }

  /** An unknown serial may be a freshly rotated certificate: worth one download a minute, no more. */
  claimOnDemandRefresh(now: number): boolean {
    if (now - this.onDemandAt < UNKNOWN_SERIAL_REFRESH_MS) return false;
    this.onDemandAt = now;
    return true;
  }

  refresh(download: () => Promise<PlatformCertificate[]>): Promise<void> {
    this.download ??= (async () => {
      try {
        const certificates = await download();
        this.store.replaceCertificates(certificates);
        this.downloadedAt = Date.now();
      } finally {
        this.download = undefined;
      }
    })();
    return this.download;
  }
}

interface V3Credentials {
  /** the configuration they were built from: a changed (or mocked) config builds new ones */
  source: string[];
  signer: MerchantSigner;
  keys: WechatpayKeyRing;
}

// Parsed keys and downloaded certificates live as long as the app, not one request.
const credentialsByApp = new WeakMap<Application, V3Credentials>();

function errCodeOf(err: unknown): string | undefined {
  return err instanceof WechatPayError ? err.errCode : undefined;
}

/** The Wechatpay-Serial of a reply, for the unknown-serial refresh. */
function serialOf(headers: IncomingHeaders): string | undefined {
  const value = headers['wechatpay-serial'];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Adapter for WeChat Pay API v3 (JSON over HTTPS, SHA256withRSA both ways).
 * Requests carry a WECHATPAY2-SHA256-RSA2048 Authorization over the exact
 * bytes sent; every reply, errors included, is checked against the WeChat Pay
 * public key or a platform certificate before anything in it is believed.
 * Logs name the operation, the order, the status, WeChat's code and the
 * duration, never a key, a signature or a body.
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
    }, this.credentials().signer.privateKey);
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
    if (transaction.out_trade_no !== orderNo) {
      throw wechatPayError('BAD_RESPONSE', 'query answered about another order');
    }
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

  /**
   * The keys that verify WeChat Pay's replies and notifies. Downloads platform
   * certificates first when they are required and missing or due; with
   * `serial`, one this store does not know, it downloads them again (at most
   * once a minute) in case WeChat has rotated its certificate.
   */
  async keyStore(serial?: string): Promise<WechatpayKeyStore> {
    const ring = this.credentials().keys;
    if (ring.needsRefresh(Date.now())) {
      try {
        await ring.refresh(() => this.downloadCertificates(ring));
      } catch (err) {
        if (ring.certificatesRequired && !ring.store.hasCertificates()) throw err;
        // Certificates still held keep working; the next call tries again.
        this.logger.warn('[PayV3Client.certificates:refresh-failed] keeping %d known serial(s): %s',
          ring.store.serials().length, (err as Error).message);
      }
    }
    if (serial !== undefined && !ring.store.get(serial) && ring.claimOnDemandRefresh(Date.now())) {
      try {
        await ring.refresh(() => this.downloadCertificates(ring));
      } catch (err) {
        // The caller's verification then fails with SERIAL_UNKNOWN, which is the truth.
        this.logger.warn('[PayV3Client.certificates:on-demand-failed] %s', (err as Error).message);
      }
    }
    return ring.store;
  }

  /** One signed call whose reply is verified, then read: 2xx gives its JSON (undefined for 204), an error throws. */
  private async call(operation: string, method: 'GET' | 'POST', pathWithQuery: string, payload: JsonObject | undefined, orderNo: string): Promise<JsonObject | undefined> {
    // Before the call: certificate-only mode needs its keys before it can believe any reply.
    await this.keyStore();
    const started = Date.now();
    const reply = await this.send(operation, method, pathWithQuery, payload === undefined ? '' : JSON.stringify(payload), orderNo);
    const failure = await this.verify(reply);
    const durationMs = Date.now() - started;
    if (failure) {
      if (reply.status >= 500) {
        // A gateway in front of WeChat Pay answers unsigned 5xx pages: nothing in it is believed, but a retry may succeed.
        this.logger.warn('[PayV3Client.%s:http] orderNo: %s, status: %d, durationMs: %d', operation, orderNo, reply.status, durationMs);
        throw wechatPayError('HTTP_5XX', `HTTP ${reply.status}`);
      }
      this.logger.error('[PayV3Client.%s:signature] orderNo: %s, status: %d, reason: %s: reply signature does not verify',
        operation, orderNo, reply.status, failure);
      throw wechatPayError('BAD_SIGNATURE', 'the answer is not signed by WeChat Pay');
    }

    const body = reply.text === '' ? undefined : parseJsonObject(reply.text);
    const code = typeof body?.code === 'string' ? body.code : undefined;
    this.logger.info('[PayV3Client.%s] orderNo: %s, status: %d, code: %s, durationMs: %d',
      operation, orderNo, reply.status, code ?? '-', durationMs);
    if (reply.text !== '' && !body) throw wechatPayError(reply.status >= 500 ? 'HTTP_5XX' : 'BAD_RESPONSE', 'the answer is not a JSON object');
    // A 2xx naming a code (202 USERPAYING, for one) is not a success.
    if (reply.status >= 200 && reply.status < 300 && code === undefined) return body;

    const message = typeof body?.message === 'string' ? body.message : `HTTP ${reply.status}`;
    const error = wechatPayError(code ?? `HTTP_${reply.status}`, message);
    // Whatever WeChat names it, a 5xx is WeChat's trouble and the same call may succeed later.
    if (reply.status >= 500 && !error.retryable) throw wechatPayError('HTTP_5XX', `HTTP ${reply.status} ${code ?? ''}`.trim());
    throw error;
  }

  /** Checks a reply's Wechatpay-* signature over its raw body; the failure's code, or undefined when it verifies. */
  private async verify(reply: RawReply, keys?: PublicKeyResolver): Promise<WechatpayVerifyErrorCode | undefined> {
    const attempt = (resolver: PublicKeyResolver): WechatpayVerifyErrorCode | undefined => {
      try {
        verifyWechatpaySignature({ headers: reply.headers, body: reply.text, keys: resolver });
        return undefined;
      } catch (err) {
        if (err instanceof WechatpayVerifyError) return err.code;
        throw err;
      }
    };
    if (keys) return attempt(keys);
    const failure = attempt(await this.keyStore());
    const serial = serialOf(reply.headers);
    if (failure !== 'SERIAL_UNKNOWN' || serial === undefined) return failure;
    return attempt(await this.keyStore(serial));
  }

  /** Signs and sends one request; transport failures become retryable errors. */
  private async send(operation: string, method: 'GET' | 'POST', pathWithQuery: string, body: string, orderNo: string): Promise<RawReply> {
    const { apiBase, timeoutMs } = this.config.wxpay;
    const url = new URL(apiBase.replace(/\/+$/, '') + pathWithQuery);
    // WeChat checks the signature over the path it receives, so sign exactly the path and query of the URL sent.
    const authorization = buildAuthorization(this.credentials().signer, method, url.pathname + url.search, body, unixTimestamp(), createNonce());
    const headers: Record<string, string> = { accept: 'application/json', authorization, 'user-agent': USER_AGENT };
    if (method === 'POST') headers['content-type'] = 'application/json';
    const started = Date.now();
    try {
      const res = await this.ctx.curl<string>(url.href, {
        method,
        content: method === 'POST' ? body : undefined,
        headers,
        dataType: 'text',
        timeout: timeoutMs,
      });
      return { status: res.status, headers: res.headers as IncomingHeaders, text: typeof res.data === 'string' ? res.data : '' };
    } catch (err) {
      const timeout = isTimeoutError(err);
      this.logger.warn('[PayV3Client.%s:failed] orderNo: %s, durationMs: %d, error: %s',
        operation, orderNo, Date.now() - started, timeout ? 'timeout' : (err as Error).name);
      throw wechatPayError(timeout ? 'TIMEOUT' : 'UNREACHABLE', 'no answer');
    }
  }

  /**
   * GET /v3/certificates. The list is encrypted with the APIv3 key, and its
   * reply is signed by one of the certificates in it: decrypting proves it
   * came from WeChat Pay (only WeChat and we hold the key), and the signature
   * is then checked with the certificates just decrypted, as WeChat prescribes.
   */
  private async downloadCertificates(ring: WechatpayKeyRing): Promise<PlatformCertificate[]> {
    const started = Date.now();
    const reply = await this.send('certificates', 'GET', '/v3/certificates', '', '-');
    if (reply.status !== 200) {
      // Not yet verifiable, so its code is not believed.
      this.logger.warn('[PayV3Client.certificates:http] status: %d', reply.status);
      throw wechatPayError(reply.status >= 500 ? 'HTTP_5XX' : 'CERTIFICATE_DOWNLOAD_FAILED', `HTTP ${reply.status}`);
    }
    const data = parseJsonObject(reply.text)?.data;
    let certificates: PlatformCertificate[];
    try {
      certificates = decryptPlatformCertificates(data as PlatformCertificateEntry[], this.config.wxpay.apiV3Key);
    } catch (err) {
      this.logger.error('[PayV3Client.certificates:invalid] %s', (err as Error).message);
      throw wechatPayError('BAD_SIGNATURE', 'the platform certificates cannot be decrypted with the APIv3 key');
    }
    const downloaded = new WechatpayKeyStore({ publicKey: ring.publicKey, certificates });
    const failure = await this.verify(reply, downloaded);
    if (failure) {
      this.logger.error('[PayV3Client.certificates:signature] reason: %s: reply signature does not verify', failure);
      throw wechatPayError('BAD_SIGNATURE', 'the certificate list is not signed by WeChat Pay');
    }
    if (certificates.length === 0) throw wechatPayError('NO_PLATFORM_CERTIFICATE', 'WeChat Pay listed no valid platform certificate');
    this.logger.info('[PayV3Client.certificates] serials: %s, durationMs: %d',
      certificates.map(cert => cert.serial).join(','), Date.now() - started);
    return certificates;
  }

  /** The merchant signer and WeChat Pay keys, parsed once per configuration. */
  private credentials(): V3Credentials {
    const { mchId, certSerial, privateKey, publicKey, publicKeyId, apiV3Key } = this.config.wxpay;
    // Compared field by field (the same strings each time, so this is cheap), not hashed: this runs on every notify.
    const source = [ mchId, certSerial, privateKey, publicKey, publicKeyId, apiV3Key ];
    let credentials = credentialsByApp.get(this.app);
    if (!credentials || credentials.source.some((value, i) => value !== source[i])) {
      if (publicKey && !publicKeyId) throw new Error('WeChat Pay v3: WECHATPAY_PUBLIC_KEY needs WECHATPAY_PUBLIC_KEY_ID');
      credentials = {
        source,
        signer: { mchId, serialNo: certSerial, privateKey: loadPrivateKey(privateKey) },
        keys: new WechatpayKeyRing(publicKey ? { id: publicKeyId, key: loadPublicKey(publicKey) } : undefined),
      };
      credentialsByApp.set(this.app, credentials);
    }
    return credentials;
  }
}
