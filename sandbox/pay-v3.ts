import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { FOREIGN_APPID, FOREIGN_MCHID } from './credentials';
import { Fault, FaultInjector } from './faults';
import { json, parseJsonBody, SandboxReply, SandboxRequest, sleep } from './http';
import type { SandboxOptions } from './options';
import { TradeStore } from './trade-store';
import { issueSandboxCertificate, SandboxCertificate } from './v3-certificate';
import { signedError, signedReply, WechatpayReplySigner } from './v3-reply';
import { RefundV3Operations } from './v3-refund';
import { BILL_DOWNLOAD_PATH, TradeBillV3Operations } from './v3-tradebill';
import { v3Time, v3Transaction } from './v3-transaction';
import { sealResource } from './wechat/aes-gcm';
import { nonceStr } from './wechat/nonce';
import { rsaSha256Verify } from './wechat/rsa';
import { parseMerchantAuthorization } from './wechat/v3-authorization';
import { v3RequestMessage } from './wechat/v3-message';
import { isNotifyUrl } from './notify-url';
import { faultRefusal, objectField, paramError, stringField, V3Refusal } from './v3-refusal';

/** A Pay API v3 operation; also its fault-injection target. */
export type V3Operation = 'prepay' | 'query' | 'close' | 'certificates' | 'refund' | 'refundquery' | 'tradebill' | 'billdownload';

/** Where the service's WeChat Pay base URL (<origin>/sandbox/pay) puts api.mch.weixin.qq.com's paths. */
export const V3_PATH_PREFIX = '/sandbox/pay/v3/';

const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const QUERY_PATH = /^\/sandbox\/pay\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/;
const CLOSE_PATH = /^\/sandbox\/pay\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/;
const REFUND_QUERY_PATH = /^\/sandbox\/pay\/v3\/refund\/domestic\/refunds\/([^/]+)$/;
// WeChat refuses a request whose timestamp is more than five minutes off its clock.
const MAX_SKEW_SECONDS = 300;

interface Call {
  operation: V3Operation;
  outTradeNo?: string;
  outRefundNo?: string;
}

/** The out_trade_no in a URL path: percent-decoded and checked. */
function pathOutTradeNo(encoded: string): string {
  let outTradeNo: string;
  try {
    outTradeNo = decodeURIComponent(encoded);
  } catch {
    throw paramError('/uri_template/out_trade_no', '格式错误');
  }
  if (!OUT_TRADE_NO.test(outTradeNo)) throw paramError('/uri_template/out_trade_no', '须为6-32位数字、大小写字母或_-|*');
  return outTradeNo;
}

/**
 * api.mch.weixin.qq.com's Pay API v3 for JSAPI (mini-program) payments: prepay,
 * query and close by out_trade_no, domestic refunds (apply, query), the
 * trade bill (describe, download), and the platform certificate download.
 * Every request's WECHATPAY2-SHA256-RSA2048 Authorization is checked with the
 * merchant's public key; every reply, errors included, is signed with the
 * simulated WeChat Pay key, except a bill file, which WeChat sends unsigned.
 * Without both keys in the options, v3 is off.
 */
export class PayV3Simulator {
  /** the simulated WeChat Pay's signer; tests switch its serial mode or forge with another key */
  readonly signer?: WechatpayReplySigner;
  private readonly merchantPublicKey?: KeyObject;
  private certificate?: Promise<SandboxCertificate>;

  constructor(
    private readonly options: SandboxOptions,
    private readonly trades: TradeStore,
    private readonly faults: FaultInjector,
    private readonly refunds: RefundV3Operations,
    private readonly bills: TradeBillV3Operations,
  ) {
    if (options.merchantPrivateKey && options.wechatpayPrivateKey) {
      this.merchantPublicKey = createPublicKey(createPrivateKey(options.merchantPrivateKey));
      this.signer = new WechatpayReplySigner(createPrivateKey(options.wechatpayPrivateKey), options.wechatpayPublicKeyId);
    }
  }

  async handle(request: SandboxRequest): Promise<SandboxReply> {
    const { signer } = this;
    if (!signer) {
      return json(501, { code: 'SANDBOX_V3_OFF', message: 'v3 needs the merchant private key and a WeChat Pay signing key' });
    }
    const call = this.route(request);
    if (!call) return signedError(signer, 404, 'NOT_FOUND', `the sandbox has no ${request.method} ${request.path}`);

    const fault = this.faults.take(call.operation, 'pay');
    if (fault?.kind === 'HTTP_500') {
      // A failing gateway in front of WeChat Pay: a plain page, nothing signed.
      return { status: 500, headers: { 'content-type': 'text/html' }, body: '<html><body>500 Internal Server Error</body></html>' };
    }
    // A slow refund is slow after WeChat has accepted it: the merchant times out, the refund stands.
    const delayAfter = fault?.kind === 'DELAY' && call.operation === 'refund';
    if (fault?.kind === 'DELAY' && !delayAfter) await sleep(fault.delayMs ?? 0);

    let reply: SandboxReply;
    try {
      this.checkAuthorization(request);
      const refusal = faultRefusal(fault?.kind);
      if (refusal) throw refusal;
      reply = await this.run(call, request, fault);
    } catch (err) {
      if (!(err instanceof V3Refusal)) throw err;
      reply = signedError(signer, err.status, err.code, err.message, err.detail);
    }
    if (delayAfter) await sleep(fault?.delayMs ?? 0);
    return reply;
  }

  /** Which operation a request is, from its method and path. */
  private route(request: SandboxRequest): Call | undefined {
    const { method, path } = request;
    if (method === 'POST' && path === `${V3_PATH_PREFIX}pay/transactions/jsapi`) return { operation: 'prepay' };
    if (method === 'GET' && path === `${V3_PATH_PREFIX}certificates`) return { operation: 'certificates' };
    const query = QUERY_PATH.exec(path);
    if (method === 'GET' && query) return { operation: 'query', outTradeNo: query[1] };
    const close = CLOSE_PATH.exec(path);
    if (method === 'POST' && close) return { operation: 'close', outTradeNo: close[1] };
    if (method === 'POST' && path === `${V3_PATH_PREFIX}refund/domestic/refunds`) return { operation: 'refund' };
    const refundQuery = REFUND_QUERY_PATH.exec(path);
    if (method === 'GET' && refundQuery) return { operation: 'refundquery', outRefundNo: refundQuery[1] };
    if (method === 'GET' && path === `${V3_PATH_PREFIX}bill/tradebill`) return { operation: 'tradebill' };
    if (method === 'GET' && path === BILL_DOWNLOAD_PATH) return { operation: 'billdownload' };
    return undefined;
  }

  private run(call: Call, request: SandboxRequest, fault: Fault | undefined): Promise<SandboxReply> | SandboxReply {
    switch (call.operation) {
      case 'prepay': return this.prepay(request);
      case 'query': return this.query(pathOutTradeNo(call.outTradeNo!), request, fault);
      case 'close': return this.close(pathOutTradeNo(call.outTradeNo!), request);
      case 'certificates': return this.certificates();
      case 'refund': return signedReply(this.signer!, 200, this.refunds.create(request.body));
      case 'refundquery': return signedReply(this.signer!, 200, this.refunds.query(call.outRefundNo!));
      case 'tradebill': return signedReply(this.signer!, 200, this.bills.describe(request));
      // The file goes out as it is: no Wechatpay-* headers, which a merchant must not look for.
      case 'billdownload': return this.bills.download(request);
      default: throw new Error(`unknown v3 operation ${String(call.operation)}`);
    }
  }

  /**
   * The merchant's signature: mchid and certificate serial are the merchant's,
   * the timestamp is within ±300 s, and SHA256withRSA over
   * METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n verifies with its public key.
   */
  private checkAuthorization(request: SandboxRequest): void {
    const fields = parseMerchantAuthorization(request.headers.authorization);
    if (!fields) throw new V3Refusal(401, 'SIGN_ERROR', 'Authorization缺失或格式错误');
    if (fields.mchid !== this.options.mchId) throw new V3Refusal(401, 'SIGN_ERROR', '商户号与签名信息不匹配');
    if (fields.serial_no !== this.options.merchantCertSerial) throw new V3Refusal(401, 'SIGN_ERROR', '商户证书序列号有误');
    const timestamp = /^\d{1,12}$/.test(fields.timestamp) ? Number(fields.timestamp) : NaN;
    // The wire's clock, not the trade store's: tests move that one to age prepay_ids.
    if (!(Math.abs(Math.floor(Date.now() / 1000) - timestamp) <= MAX_SKEW_SECONDS)) {
      throw new V3Refusal(401, 'SIGN_ERROR', '请求时间戳已过期');
    }
    // The query string as sent is what the merchant signed; URLSearchParams gives it back in its own encoding,
    // which is the same for the plain ids this API takes.
    const search = request.query.toString();
    const pathWithQuery = search ? `${request.path}?${search}` : request.path;
    const message = v3RequestMessage(request.method, pathWithQuery, fields.timestamp, fields.nonce_str, request.body);
    if (!rsaSha256Verify(message, fields.signature, this.merchantPublicKey!)) throw new V3Refusal(401, 'SIGN_ERROR', '签名错误');
  }

  /** The merchant's mchid in a query string or body must be the one it signed as. */
  private checkMchid(value: unknown, field: string): void {
    if (value === undefined || value === null || value === '') throw paramError(field, '必填，不能为空');
    if (value !== this.options.mchId) throw paramError(field, '与身份认证信息中的商户号不一致');
  }

  // POST /v3/pay/transactions/jsapi
  private prepay(request: SandboxRequest): SandboxReply {
    const body = parseJsonBody(request.body);
    if (!body) throw new V3Refusal(400, 'PARAM_ERROR', '请求体不是合法的JSON对象');
    const appid = stringField(body, 'appid', '/body/appid', 32);
    const mchid = stringField(body, 'mchid', '/body/mchid', 32);
    const description = stringField(body, 'description', '/body/description', 127);
    const outTradeNo = stringField(body, 'out_trade_no', '/body/out_trade_no', 32);
    if (!OUT_TRADE_NO.test(outTradeNo)) throw paramError('/body/out_trade_no', '须为6-32位数字、大小写字母或_-|*');
    const notifyUrl = stringField(body, 'notify_url', '/body/notify_url', 256);
    if (!isNotifyUrl(notifyUrl)) throw paramError('/body/notify_url', '须为可直接访问、不带参数的URL');
    if (body.time_expire !== undefined) {
      const timeExpire = stringField(body, 'time_expire', '/body/time_expire', 64);
      if (!RFC3339.test(timeExpire) || Number.isNaN(Date.parse(timeExpire))) throw paramError('/body/time_expire', '须为RFC3339格式');
    }
    const attach = body.attach === undefined ? undefined : stringField(body, 'attach', '/body/attach', 128);
    const amount = objectField(body, 'amount', '/body/amount');
    const total = amount.total;
    if (typeof total !== 'number' || !Number.isSafeInteger(total) || total <= 0) throw paramError('/body/amount/total', '须为正整数（分）');
    if (amount.currency !== undefined && amount.currency !== 'CNY') throw paramError('/body/amount/currency', '仅支持CNY');
    const payer = objectField(body, 'payer', '/body/payer');
    const openid = stringField(payer, 'openid', '/body/payer/openid', 128);
    if (appid !== this.options.appId || mchid !== this.options.mchId) {
      throw new V3Refusal(400, 'APPID_MCHID_NOT_MATCH', 'appid和mchid不匹配');
    }

    // What makes an order: the same out_trade_no with anything else different is OUT_TRADE_NO_USED.
    // time_expire is left out, as v2 leaves it out: a retry may recompute it.
    const fingerprint = JSON.stringify([ 'v3', appid, mchid, description, attach ?? '', notifyUrl, total, 'CNY', openid, body.goods_tag ?? '' ]);
    let trade = this.trades.find(outTradeNo);
    if (trade) {
      if (trade.state === 'SUCCESS') throw new V3Refusal(400, 'ORDERPAID', '该订单已支付');
      if (trade.state === 'CLOSED') throw new V3Refusal(400, 'ORDER_CLOSED', '订单已关闭');
      if (trade.fingerprint !== fingerprint) throw new V3Refusal(400, 'OUT_TRADE_NO_USED', '商户订单号重复');
      // The same order again: the same prepay_id while it is valid (2 h), a new one after.
      if (!this.trades.isPrepayValid(trade)) this.trades.renewPrepay(trade);
    } else {
      trade = this.trades.create({
        appid,
        mchid,
        outTradeNo,
        totalFee: total,
        description,
        attach,
        openid,
        notifyUrl,
        tradeType: 'JSAPI',
        origin: { api: 'v3' },
        fingerprint,
      });
    }
    return signedReply(this.signer!, 200, { prepay_id: trade.prepayId });
  }

  // GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=…
  private query(outTradeNo: string, request: SandboxRequest, fault: Fault | undefined): SandboxReply {
    this.checkMchid(request.query.get('mchid') ?? undefined, '/query/mchid');
    const trade = this.trades.find(outTradeNo);
    if (!trade) throw new V3Refusal(404, 'ORDER_NOT_EXIST', '订单不存在');
    const transaction = v3Transaction(trade);
    // FOREIGN_*: genuinely signed by WeChat Pay, but about another merchant's app or account.
    if (fault?.kind === 'FOREIGN_APPID') transaction.appid = FOREIGN_APPID;
    if (fault?.kind === 'FOREIGN_MCHID') transaction.mchid = FOREIGN_MCHID;
    return signedReply(this.signer!, 200, transaction);
  }

  // POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close { mchid }
  private close(outTradeNo: string, request: SandboxRequest): SandboxReply {
    const body = parseJsonBody(request.body);
    if (!body) throw new V3Refusal(400, 'PARAM_ERROR', '请求体不是合法的JSON对象');
    this.checkMchid(body.mchid, '/body/mchid');
    const trade = this.trades.find(outTradeNo);
    if (trade?.state === 'SUCCESS') throw new V3Refusal(400, 'ORDERPAID', '该订单已支付');
    // Like WeChat, closing a closed order, or one it never saw, answers 204 as well.
    if (trade && trade.state !== 'CLOSED') this.trades.close(trade);
    return signedReply(this.signer!, 204);
  }

  // GET /v3/certificates: signed with the platform certificate, whatever the mode, as WeChat does.
  private async certificates(): Promise<SandboxReply> {
    const signer = this.signer!;
    this.certificate ??= issueSandboxCertificate(this.options.wechatpayPrivateKey, signer.certificateSerial);
    let certificate: SandboxCertificate;
    try {
      certificate = await this.certificate;
    } catch (err) {
      this.certificate = undefined;
      throw new Error(`the sandbox could not issue its platform certificate (is openssl installed?): ${(err as Error).message}`);
    }
    const encrypted = sealResource(certificate.pem, this.options.apiV3Key, nonceStr(12), 'certificate');
    return signedReply(signer, 200, {
      data: [{
        serial_no: certificate.serial,
        effective_time: v3Time(certificate.notBefore.getTime()),
        expire_time: v3Time(certificate.notAfter.getTime()),
        encrypt_certificate: {
          algorithm: encrypted.algorithm,
          nonce: encrypted.nonce,
          associated_data: encrypted.associated_data,
          ciphertext: encrypted.ciphertext,
        },
      }],
    }, 'certificate');
  }
}
