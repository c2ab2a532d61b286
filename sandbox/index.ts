import { IncomingMessage, ServerResponse } from 'node:http';
import { FaultInjector, FaultKind } from './faults';
import { json, readBody, SandboxReply, SandboxRequest, sendReply } from './http';
import { Code2SessionSimulator } from './login';
import { NotifyDeliverer } from './notify-delivery';
import { PayV2Simulator, V2_OPERATIONS } from './pay-v2';
import { PayV3Simulator, V3_PATH_PREFIX } from './pay-v3';
import { Payer } from './payer';
import { TradeStore } from './trade-store';
import { V2NotifyFormat } from './v2-notify';
import { SandboxNotifyDeliverer, V3NotifyFormat } from './v3-notify';

/** What the simulated WeChat must share with the merchant it serves. */
export interface SandboxOptions {
  appId: string;
  secret: string;
  mchId: string;
  apiKey: string;
  apiV3Key: string;
  /** merchant's private key (PEM): the sandbox derives the public half to check v3 requests */
  merchantPrivateKey: string;
  merchantCertSerial: string;
  /** the simulated WeChat Pay's own signing key (PEM) and the id it is published under */
  wechatpayPrivateKey: string;
  wechatpayPublicKeyId: string;
  /** multiplies WeChat's notify retry delays */
  notifyRetryScale: number;
  /** the simulated WeChat's clock in ms (default Date.now); tests move it to expire prepay_ids */
  clock?: () => number;
}

type Route = (request: SandboxRequest) => Promise<SandboxReply>;

export const SANDBOX_PREFIX = '/sandbox';
const FAULT_KINDS: FaultKind[] = [ 'SYSTEMERROR', 'BUSY', 'HTTP_500', 'DELAY' ];

/**
 * The WeChat simulator: the parts of api.weixin.qq.com (under /sandbox/wechat)
 * and api.mch.weixin.qq.com (under /sandbox/pay) the service uses, plus
 * control calls (under /sandbox/control) that let a test or a developer play
 * the payer and inject faults. Mounted in local and unittest only.
 */
export class Sandbox {
  readonly faults = new FaultInjector();
  /** every trade placed through any Pay API version */
  readonly trades: TradeStore;
  /** WeChat's notify deliveries to the merchant, with their retries */
  readonly notifies: NotifyDeliverer;
  /** Pay API v3; tests reach its signer to switch serial modes or forge replies */
  readonly payV3: PayV3Simulator;
  private readonly routes = new Map<string, Route>();
  /** routes owning every path under a prefix, whatever the method (v3 puts ids in paths) */
  private readonly prefixRoutes: Array<[ string, Route ]> = [];

  constructor(readonly options: SandboxOptions) {
    this.trades = new TradeStore(options.clock);
    this.notifies = new SandboxNotifyDeliverer(options.notifyRetryScale);
    this.notifies.useFormat('v2', new V2NotifyFormat(options.apiKey));

    const login = new Code2SessionSimulator(options.appId, options.secret, this.faults);
    this.route('GET', '/wechat/sns/jscode2session', request => login.handle(request));

    // The service's WeChat Pay base URL is <origin>/sandbox/pay, so v2's /pay/unifiedorder lands here.
    const payV2 = new PayV2Simulator(options, this.trades, this.faults);
    for (const operation of V2_OPERATIONS) {
      this.route('POST', `/pay/pay/${operation}`, request => payV2.handle(operation, request));
    }

    // v3 paths sit under the same base URL: <origin>/sandbox/pay/v3/...
    this.payV3 = new PayV3Simulator(options, this.trades, this.faults);
    this.prefixRoutes.push([ V3_PATH_PREFIX, request => this.payV3.handle(request) ]);
    this.notifies.useFormat('v3', new V3NotifyFormat(options.apiV3Key, () => this.payV3.signer));

    const payer = new Payer(this.trades, this.notifies);
    this.route('POST', '/control/pay', async request => payer.pay(request));
    this.route('GET', '/control/notifies', async request => payer.notifyReport(request));
    this.route('POST', '/control/notify/resend', request => payer.resend(request));
    this.route('POST', '/control/faults', async request => this.armFault(request));
    this.route('DELETE', '/control/faults', async () => {
      this.faults.clear();
      return { status: 204, body: '' };
    });
  }

  /** Stops the simulator's background work: pending notify retries and requests under way. */
  close(): void {
    this.notifies.close();
  }

  /** Registers a route under the sandbox prefix. */
  route(method: string, path: string, handler: Route): void {
    this.routes.set(`${method} ${SANDBOX_PREFIX}${path}`, handler);
  }

  /** Serves a sandbox path; false when the path is not the sandbox's. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    if (!url.pathname.startsWith(`${SANDBOX_PREFIX}/`)) return false;
    const route = this.routes.get(`${req.method} ${url.pathname}`)
      ?? this.prefixRoutes.find(([ prefix ]) => url.pathname.startsWith(prefix))?.[1];
    try {
      const body = await readBody(req);
      const reply = route
        ? await route({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body })
        : json(404, { code: 'NOT_FOUND', message: `the sandbox has no ${req.method} ${url.pathname}` });
      sendReply(res, reply);
    } catch (err) {
      sendReply(res, json(500, { code: 'SANDBOX_ERROR', message: (err as Error).message }));
    }
    return true;
  }

  // POST /sandbox/control/faults { target, kind, count?, delayMs? }
  private armFault(request: SandboxRequest): SandboxReply {
    let input: { target?: unknown; kind?: unknown; count?: unknown; delayMs?: unknown };
    try {
      input = JSON.parse(request.body || '{}');
    } catch {
      return json(400, { code: 'INVALID_JSON', message: 'body must be JSON' });
    }
    const { target, kind } = input;
    const count = input.count ?? 1;
    if (typeof target !== 'string' || !FAULT_KINDS.includes(kind as FaultKind)
      || !Number.isSafeInteger(count) || (count as number) < 1) {
      return json(400, {
        code: 'INVALID_FAULT',
        message: `expected { target, kind: ${FAULT_KINDS.join('|')}, count >= 1, delayMs? }`,
      });
    }
    const delayMs = typeof input.delayMs === 'number' ? input.delayMs : 0;
    this.faults.arm(target, { kind: kind as FaultKind, delayMs }, count as number);
    return json(200, { target, kind, count, delayMs });
  }
}
