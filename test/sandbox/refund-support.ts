import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
// The merchant's side is played with the service's own app/lib code, as in support.ts.
import { createNonce, unixTimestamp } from '../../app/lib/wxpay/nonce';
import { V2SignType } from '../../app/lib/wxpay/v2-sign';
import { buildAuthorization, MerchantSigner, verifyWechatpaySignature } from '../../app/lib/wxpay/v3-signature';
import { WechatpayKeyStore } from '../../app/lib/wxpay/v3-keys';
import { buildXml, parseXml, XmlFields } from '../../app/lib/wxpay/xml';
import { SandboxOptions } from '../../sandbox';
import { SANDBOX_APPID, SANDBOX_MCHID, SANDBOX_MERCHANT_CERT_SERIAL, SANDBOX_PUBLIC_KEY_ID } from '../../sandbox/credentials';
import { issueMerchantCertificate } from '../../sandbox/merchant-certificate';
import { startTlsListener } from '../../sandbox/tls-listener';
import { rsaKeyPair } from '../lib/wxpay/v3-fixtures';
import { callV2, control, newOutTradeNo, orderFields, PAYER_OPENID, RunningSandbox, signRequest, startSandbox, V2Reply } from './support';

export const merchantKeys = rsaKeyPair('merchant');
export const wechatpayKeys = rsaKeyPair('wechatpay');

/** The merchant's API client certificate, issued once per run (openssl takes a moment). */
export const MERCHANT_IDENTITY: TlsIdentity = {
  key: merchantKeys.privatePem,
  cert: issueMerchantCertificate(merchantKeys.privatePem, SANDBOX_MCHID),
};

export const MERCHANT_SIGNER: MerchantSigner = {
  mchId: SANDBOX_MCHID,
  serialNo: SANDBOX_MERCHANT_CERT_SERIAL,
  privateKey: merchantKeys.privateKey,
};

/** Verifies what the sandbox signs with its WeChat Pay key (public-key mode). */
export const WECHATPAY_KEYS = new WechatpayKeyStore({ publicKey: { id: SANDBOX_PUBLIC_KEY_ID, key: wechatpayKeys.publicKey } });

/** A TLS client identity: certificate and private key, PEM. */
export interface TlsIdentity {
  cert: string;
  key: string;
}

/** A sandbox with v2 and v3 on, over plain HTTP (`origin`) and TLS (`tlsOrigin`). */
export interface RefundSandbox extends RunningSandbox {
  tlsOrigin: string;
}

export async function startRefundSandbox(overrides: Partial<SandboxOptions> = {}): Promise<RefundSandbox> {
  const running = await startSandbox({
    merchantPrivateKey: merchantKeys.privatePem,
    merchantCertSerial: SANDBOX_MERCHANT_CERT_SERIAL,
    wechatpayPrivateKey: wechatpayKeys.privatePem,
    wechatpayPublicKeyId: SANDBOX_PUBLIC_KEY_ID,
    ...overrides,
  });
  const tls = await startTlsListener(running.sandbox, { port: 0 });
  return {
    ...running,
    tlsOrigin: tls.origin,
    async close() {
      await tls.close();
      await running.close();
    },
  };
}

/**
 * POSTs over HTTPS with node:https, which (unlike fetch) can present a client
 * certificate. The server is checked against the CA of NODE_EXTRA_CA_CERTS,
 * as the service checks it. A dropped connection rejects.
 */
export function postTls(url: string, body: string, identity?: TlsIdentity, timeoutMs?: number): Promise<V2Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      // A fresh connection per call: a pooled one could carry another identity.
      agent: false,
      timeout: timeoutMs,
      ...identity,
    }, res => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let fields: Record<string, string> = {};
        try {
          fields = parseXml(text);
        } catch {
          // not XML
        }
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? null, text, fields });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Signs a v2 refund as the merchant would and sends it to /secapi/pay/refund over TLS with `identity` (null: none). */
export function callRefundV2(tlsOrigin: string, fields: XmlFields, signType: V2SignType = 'MD5',
  identity: TlsIdentity | null = MERCHANT_IDENTITY, timeoutMs?: number): Promise<V2Reply> {
  return postTls(`${tlsOrigin}/sandbox/pay/secapi/pay/refund`, buildXml(signRequest(fields, signType)), identity ?? undefined, timeoutMs);
}

/** A v2 refund request for a trade, before signing. */
export function refundFields(outTradeNo: string, overrides: XmlFields = {}): XmlFields {
  return {
    appid: SANDBOX_APPID,
    mch_id: SANDBOX_MCHID,
    out_trade_no: outTradeNo,
    out_refund_no: newOutRefundNo(),
    total_fee: 1280,
    refund_fee: 1280,
    ...overrides,
  };
}

let refundSequence = 0;

/** A fresh out_refund_no, unique within the run. */
export function newOutRefundNo(): string {
  refundSequence += 1;
  return `R${Date.now()}${String(refundSequence).padStart(4, '0')}`;
}

export interface V3Reply {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown>;
}

/** A v3 call signed as the merchant, over HTTP or TLS (`origin` decides). */
export async function callV3(origin: string, method: 'GET' | 'POST', path: string, payload?: unknown,
  signer: MerchantSigner = MERCHANT_SIGNER): Promise<V3Reply> {
  const body = payload === undefined ? '' : JSON.stringify(payload);
  const fullPath = `/sandbox/pay${path}`;
  const authorization = buildAuthorization(signer, method, fullPath, body, unixTimestamp(), createNonce());
  const response = await fetch(`${origin}${fullPath}`, {
    method,
    headers: { accept: 'application/json', 'content-type': 'application/json', authorization },
    body: method === 'GET' ? undefined : body,
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // a gateway page
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** Checks a v3 reply's Wechatpay-* signature with the sandbox's WeChat Pay public key. */
export function assertV3Signed(reply: V3Reply): void {
  verifyWechatpaySignature({ headers: Object.fromEntries(reply.headers.entries()), body: reply.text, keys: WECHATPAY_KEYS });
}

export interface PaidTrade {
  outTradeNo: string;
  transactionId: string;
  total: number;
}

/** A trade ordered through v2 (or v3) and paid, without its payment notify. */
export async function paidTrade(origin: string, options: { api?: 'v2' | 'v3'; total?: number; notifyUrl?: string } = {}): Promise<PaidTrade> {
  const total = options.total ?? 1280;
  let outTradeNo: string;
  if (options.api === 'v3') {
    outTradeNo = newOutTradeNo();
    const reply = await callV3(origin, 'POST', '/v3/pay/transactions/jsapi', {
      appid: SANDBOX_APPID, mchid: SANDBOX_MCHID, description: 'Sandbox shop - coffee', out_trade_no: outTradeNo,
      notify_url: options.notifyUrl ?? 'http://127.0.0.1:9/api/pay/notify/v3', amount: { total, currency: 'CNY' },
      payer: { openid: PAYER_OPENID },
    });
    assert.equal(reply.status, 200, reply.text);
  } else {
    const fields = orderFields({ total_fee: total, ...(options.notifyUrl && { notify_url: options.notifyUrl }) });
    const reply = await callV2(origin, 'unifiedorder', fields);
    assert.equal(reply.fields.result_code, 'SUCCESS', reply.text);
    outTradeNo = String(fields.out_trade_no);
  }
  const paid = await control(origin, 'POST', '/pay', { outTradeNo, deliverNotify: false });
  assert.equal(paid.status, 200, JSON.stringify(paid.body));
  return { outTradeNo, transactionId: String(paid.body.transactionId), total };
}

export interface ReceivedRequest {
  n: number;
  /** the path the notify was sent to */
  url: string;
  /** performance.now() when the request arrived */
  arrivedAt: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * Plays the merchant's refund-notify endpoint: keeps every request and
 * answers with `reply(n)`, n counting the requests about one refund (found
 * by `keyOf`), so that a straggling retry of an earlier test does not shift
 * the script.
 */
export class NotifySink {
  readonly received: Array<ReceivedRequest & { key: string }> = [];
  reply: (n: number) => { status: number; body: string } = () => ({ status: 204, body: '' });
  origin = '';
  private server?: Server;

  constructor(private readonly keyOf: (body: string) => string) {}

  get url(): string {
    return `${this.origin}/api/pay/refund-notify`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const arrivedAt = performance.now();
        const body = Buffer.concat(chunks).toString('utf8');
        let key = '';
        try {
          key = this.keyOf(body);
        } catch {
          // not a notify this sink can read
        }
        const n = this.received.filter(request => request.key === key).length + 1;
        this.received.push({ n, url: req.url ?? '', arrivedAt, key, headers: req.headers, body });
        const { status, body: replyBody } = this.reply(n);
        res.writeHead(status, { 'content-type': 'text/plain' }).end(replyBody);
      });
    });
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  about(key: string): Array<ReceivedRequest & { key: string }> {
    return this.received.filter(request => request.key === key);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise(resolve => this.server?.close(resolve));
  }
}
