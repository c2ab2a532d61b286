import { IncomingMessage, ServerResponse } from 'node:http';
import { FaultInjector, FaultKind } from './faults';
import { json, readBody, SandboxReply, SandboxRequest, sendReply } from './http';
import { Code2SessionSimulator } from './login';

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
  private readonly routes = new Map<string, Route>();

  constructor(readonly options: SandboxOptions) {
    const login = new Code2SessionSimulator(options.appId, options.secret, this.faults);
    this.route('GET', '/wechat/sns/jscode2session', request => login.handle(request));
    this.route('POST', '/control/faults', async request => this.armFault(request));
    this.route('DELETE', '/control/faults', async () => {
      this.faults.clear();
      return { status: 204, body: '' };
    });
  }

  /** Registers a route under the sandbox prefix. */
  route(method: string, path: string, handler: Route): void {
    this.routes.set(`${method} ${SANDBOX_PREFIX}${path}`, handler);
  }

  /** Serves a sandbox path; false when the path is not the sandbox's. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    if (!url.pathname.startsWith(`${SANDBOX_PREFIX}/`)) return false;
    const route = this.routes.get(`${req.method} ${url.pathname}`);
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
