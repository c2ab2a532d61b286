import { IncomingMessage, ServerResponse } from 'node:http';
import { FaultControl } from './fault-control';
import { FaultInjector } from './faults';
import { json, readBody, SandboxReply, SandboxRequest, sendReply } from './http';
import { Code2SessionSimulator } from './login';
import { NotifyDeliverer } from './notify-delivery';
import type { SandboxOptions } from './options';
import { PayV2Simulator, V2_OPERATIONS } from './pay-v2';
import { PayV3Simulator, V3_PATH_PREFIX } from './pay-v3';
import { Payer } from './payer';
import { TradeStore } from './trade-store';
import { V2NotifyFormat } from './v2-notify';
import { SandboxNotifyDeliverer, V3NotifyFormat } from './v3-notify';

export type { SandboxOptions } from './options';

type Route = (request: SandboxRequest) => Promise<SandboxReply>;

export const SANDBOX_PREFIX = '/sandbox';

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
    this.trades = new TradeStore(options.clock, options.statePath);
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
    this.route('POST', '/control/pay', request => payer.pay(request));
    this.route('GET', '/control/notifies', async request => payer.notifyReport(request));
    this.route('POST', '/control/notify/resend', request => payer.resend(request));
    const faults = new FaultControl(this.faults);
    this.route('POST', '/control/faults', async request => faults.arm(request));
    this.route('GET', '/control/faults', async () => faults.list());
    this.route('DELETE', '/control/faults', async () => faults.clear());
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
}
