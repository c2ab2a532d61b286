import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** One request the relay passed on, with the sandbox's answer as it went back to the service. */
export interface RelayedExchange {
  method: string;
  path: string;
  status: number;
  body: string;
}

/** A held reply: `arrived` resolves once the sandbox has answered, the service gets it on `release()`. */
export interface HeldReply {
  /** resolves when the request has reached the sandbox and the sandbox has answered it */
  arrived: Promise<RelayedExchange>;
  /** whether the service has been sent the reply yet */
  readonly released: boolean;
  release(): void;
}

interface PendingHold {
  matches: (path: string) => boolean;
  hold: HeldReply;
  arrive: (exchange: RelayedExchange) => void;
  releasedPromise: Promise<void>;
}

// Hop-by-hop headers and those fetch() computes itself.
const SKIPPED_HEADERS = new Set([ 'host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding' ]);

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A real HTTP hop between the service and the in-process WeChat sandbox. It
 * passes every request and reply through byte for byte (signatures stay
 * valid), records what WeChat answered, and can hold one reply until the test
 * releases it. Tests point `app.config.wechat.apiBase` or
 * `app.config.wxpay.apiBase` at `relay.origin + '/sandbox/…'` to use it.
 *
 * Holding a reply turns "WeChat is slow" from a race against a timer into an
 * order the test chooses: the request has reached WeChat (and WeChat has acted
 * on it) when `arrived` resolves, and the service sees the answer only after
 * `release()`.
 */
export class WechatRelay {
  readonly exchanges: RelayedExchange[] = [];
  private server?: Server;
  private holds: PendingHold[] = [];
  private readonly unreleased = new Set<HeldReply>();
  origin = '';

  /** @param target origin of the app serving the sandbox, e.g. http://127.0.0.1:PORT */
  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.relay(req, res).catch(err => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`relay failed: ${(err as Error).message}`);
      });
    });
    this.server.listen(0, '127.0.0.1');
    await new Promise(resolve => this.server!.once('listening', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Releases every held reply, then stops listening. */
  async close(): Promise<void> {
    for (const hold of this.unreleased) hold.release();
    this.holds = [];
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise(resolve => this.server!.close(resolve));
  }

  /** Holds the reply to the next request whose path ends with `pathSuffix`. */
  holdNext(pathSuffix: string | RegExp): HeldReply {
    let arrive!: (exchange: RelayedExchange) => void;
    let release!: () => void;
    const arrived = new Promise<RelayedExchange>(resolve => {
      arrive = resolve;
    });
    const releasedPromise = new Promise<void>(resolve => {
      release = resolve;
    });
    let released = false;
    const hold: HeldReply = {
      arrived,
      get released() {
        return released;
      },
      release: () => {
        released = true;
        this.unreleased.delete(hold);
        release();
      },
    };
    this.unreleased.add(hold);
    const matches = typeof pathSuffix === 'string' ? (path: string) => path.endsWith(pathSuffix) : (path: string) => pathSuffix.test(path);
    this.holds.push({ matches, hold, arrive, releasedPromise });
    return hold;
  }

  private async relay(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('error', () => undefined); // the service may have given up (time-out) before a held reply goes
    const body = await readAll(req);
    const headers: Record<string, string> = {};
    for (const [ name, value ] of Object.entries(req.headers)) {
      if (!SKIPPED_HEADERS.has(name) && typeof value === 'string') headers[name] = value;
    }
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const response = await fetch(`${this.target}${url}`, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : body,
    });
    const replyBody = Buffer.from(await response.arrayBuffer());
    const path = url.split('?')[0];
    const exchange: RelayedExchange = { method, path, status: response.status, body: replyBody.toString('utf8') };
    this.exchanges.push(exchange);

    const index = this.holds.findIndex(pending => pending.matches(path));
    if (index >= 0) {
      const [ pending ] = this.holds.splice(index, 1);
      pending.arrive(exchange);
      await pending.releasedPromise;
    }
    const replyHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (!SKIPPED_HEADERS.has(name) && name !== 'content-encoding') replyHeaders[name] = value;
    });
    res.writeHead(response.status, { ...replyHeaders, 'content-length': String(replyBody.length) });
    res.end(replyBody);
  }
}

/** The origin the app under test listens on (test/.setup.ts points the WeChat base URLs there). */
export function appOrigin(apiBase: string): string {
  return new URL(apiBase).origin;
}
