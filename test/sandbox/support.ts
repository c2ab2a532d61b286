import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
// The merchant's side is played with the service's own app/lib code on purpose: the sandbox
// checks and answers with its independent WeChat-side code, so every test here is also a
// check that the two implementations agree.
import { signV2, V2SignType } from '../../app/lib/wxpay/v2-sign';
import { buildXml, parseXml, XmlFields } from '../../app/lib/wxpay/xml';
import { createNonce } from '../../app/lib/wxpay/nonce';
import { Sandbox, SandboxOptions } from '../../sandbox';
import {
  SANDBOX_API_KEY,
  SANDBOX_APIV3_KEY,
  SANDBOX_APPID,
  SANDBOX_MCHID,
  SANDBOX_SECRET,
} from '../../sandbox/credentials';

/** v2-only options: the v3 keys stay empty since these tests never call v3. */
export const V2_OPTIONS: SandboxOptions = {
  appId: SANDBOX_APPID,
  secret: SANDBOX_SECRET,
  mchId: SANDBOX_MCHID,
  apiKey: SANDBOX_API_KEY,
  apiV3Key: SANDBOX_APIV3_KEY,
  merchantPrivateKey: '',
  merchantCertSerial: '',
  wechatpayPrivateKey: '',
  wechatpayPublicKeyId: '',
  notifyRetryScale: 0.001,
};

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; origin: string }> {
  const server = createServer(handler);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise(resolve => server.close(() => resolve()));
}

/** A sandbox on its own loopback server, as the standalone one and the app's middleware serve it. */
export interface RunningSandbox {
  sandbox: Sandbox;
  origin: string;
  close(): Promise<void>;
}

export async function startSandbox(overrides: Partial<SandboxOptions> = {}): Promise<RunningSandbox> {
  const sandbox = new Sandbox({ ...V2_OPTIONS, ...overrides });
  const { server, origin } = await listen((req, res) => {
    sandbox.handle(req, res).then(handled => {
      if (!handled) res.writeHead(404).end();
    }, () => res.writeHead(500).end());
  });
  return {
    sandbox,
    origin,
    async close() {
      sandbox.close();
      await closeServer(server);
    },
  };
}

/** Adds nonce_str (unless given), sign_type when HMAC-SHA256, and the signature. */
export function signRequest(fields: XmlFields, signType: V2SignType = 'MD5', key = SANDBOX_API_KEY): XmlFields {
  const unsigned: XmlFields = {
    nonce_str: createNonce(),
    ...fields,
    sign_type: signType === 'HMAC-SHA256' ? signType : fields.sign_type,
  };
  return { ...unsigned, sign: signV2(unsigned, key, signType) };
}

export interface V2Reply {
  status: number;
  contentType: string | null;
  text: string;
  fields: Record<string, string>;
}

/** POSTs a raw body to a Pay API v2 path; `fields` is empty when the reply is not XML. */
export async function postV2(origin: string, operation: string, body: string): Promise<V2Reply> {
  const response = await fetch(`${origin}/sandbox/pay/pay/${operation}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body,
  });
  const text = await response.text();
  let fields: Record<string, string> = {};
  try {
    fields = parseXml(text);
  } catch {
    // not XML (an injected HTTP 500, for instance)
  }
  return { status: response.status, contentType: response.headers.get('content-type'), text, fields };
}

/** Signs `fields` as the merchant would and POSTs them to a Pay API v2 operation. */
export function callV2(origin: string, operation: string, fields: XmlFields, signType: V2SignType = 'MD5'): Promise<V2Reply> {
  return postV2(origin, operation, buildXml(signRequest(fields, signType)));
}

let orderSequence = 0;

/** A fresh out_trade_no, unique within the run. */
export function newOutTradeNo(): string {
  orderSequence += 1;
  return `T${Date.now()}${String(orderSequence).padStart(4, '0')}`;
}

export const PAYER_OPENID = 'oSandboxPayer0000000000000001';

/** A valid JSAPI unifiedorder request before signing. */
export function orderFields(overrides: XmlFields = {}): XmlFields {
  return {
    appid: SANDBOX_APPID,
    mch_id: SANDBOX_MCHID,
    body: 'Sandbox shop - coffee',
    out_trade_no: newOutTradeNo(),
    total_fee: 1280,
    spbill_create_ip: '127.0.0.1',
    notify_url: 'http://127.0.0.1:9/api/pay/notify',
    trade_type: 'JSAPI',
    openid: PAYER_OPENID,
    ...overrides,
  };
}

export interface ControlReply {
  status: number;
  body: Record<string, unknown>;
}

/** Calls a sandbox control endpoint with a JSON body. */
export async function control(origin: string, method: string, path: string, body?: unknown): Promise<ControlReply> {
  const response = await fetch(`${origin}/sandbox/control${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) as Record<string, unknown> : {} };
}

/** Polls `check` until it returns a value other than undefined. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 5));
  }
}

export interface ReceivedNotify {
  /** performance.now() when the request arrived */
  arrivedAt: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the merchant stub answers to its n-th notify (1-based). */
export type MerchantReply = (n: number) => { status: number; body: string };

export const ACK_SUCCESS = buildXml({ return_code: 'SUCCESS', return_msg: 'OK' });
export const ACK_FAIL = buildXml({ return_code: 'FAIL', return_msg: 'database unavailable' });

/** Answers FAIL to the first `failures` notifies, SUCCESS afterwards. */
export function failFirst(failures: number): MerchantReply {
  return n => ({ status: 200, body: n <= failures ? ACK_FAIL : ACK_SUCCESS });
}

function outTradeNoOf(body: string): string {
  try {
    return parseXml(body).out_trade_no ?? '';
  } catch {
    return '';
  }
}

/** Plays the merchant's notify endpoint and keeps what WeChat sent it. */
export class MerchantStub {
  readonly received: ReceivedNotify[] = [];
  reply: MerchantReply = failFirst(0);
  private server?: Server;
  origin = '';

  get notifyUrl(): string {
    return `${this.origin}/api/pay/notify`;
  }

  async start(): Promise<this> {
    const { server, origin } = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const notify = { arrivedAt: performance.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.received.push(notify);
        // Counted per trade, so a straggling retry of an earlier test does not shift the script.
        const { status, body } = this.reply(this.notifiesFor(outTradeNoOf(notify.body)).length);
        res.writeHead(status, { 'content-type': 'text/xml' }).end(body);
      });
    });
    this.server = server;
    this.origin = origin;
    return this;
  }

  /** The notifies received about one trade, parsed. */
  notifiesFor(outTradeNo: string): Array<ReceivedNotify & { fields: Record<string, string> }> {
    return this.received
      .filter(notify => outTradeNoOf(notify.body) === outTradeNo)
      .map(notify => ({ ...notify, fields: parseXml(notify.body) }));
  }

  reset(reply: MerchantReply = failFirst(0)): void {
    this.received.length = 0;
    this.reply = reply;
  }

  async close(): Promise<void> {
    if (this.server) await closeServer(this.server);
  }
}
