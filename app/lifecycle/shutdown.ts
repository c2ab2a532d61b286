import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * What a worker does between SIGTERM and its exit (egg-cluster calls
 * app.close(), which runs app.ts's beforeClose, then exits the process): the
 * HTTP server stops accepting, the requests it already accepted are answered,
 * long jobs stop between two units of work, and only then does the database
 * pool close. Egg itself does none of this: it exits once the close hooks
 * resolve, dropping requests in flight.
 */

// How long a closing worker waits for the requests it accepted: longer than a
// notify's own deadline (NOTIFY_DEADLINE_MS, 4 s by default: it answers FAIL by
// then whatever the database does), shorter than egg-cluster's 5 s
// (EGG_APP_CLOSE_TIMEOUT) after which the worker is killed.
export const SHUTDOWN_DRAIN_MS = 4500;
/** The whole close (drain, then the pool) ends within this, under egg-cluster's 5 s kill. */
export const SHUTDOWN_CLOSE_BUDGET_MS = 4900;

const shuttingDown = new WeakSet<object>();

/** Marks the app as closing: schedules take no new unit of work from now on. */
export function markShuttingDown(app: object): void {
  shuttingDown.add(app);
}

/** Whether the app has begun to close (a long job stops at its next step). */
export function isShuttingDown(app: object): boolean {
  return shuttingDown.has(app);
}

// Node's own link from a connection to the response it is writing (pipelined requests wait their
// turn). Read only when a drain begins.
type HttpSocket = Socket & { _httpMessage?: ServerResponse | null };

/**
 * Counts the requests a server is answering, so that a close can wait for
 * them; while draining, every reply says `Connection: close` so keep-alive
 * clients (a load balancer, WeChat) take their next request elsewhere.
 * Every request passes through here, a notify storm's thousands a second
 * included, so a request costs a counter and one listener, and nothing that
 * lives longer than the request refers to its response: a Set of the
 * responses in flight (or a reference from their connection) made V8 promote
 * about 3 KB more per request out of the young generation (measured with
 * --trace-gc-nvp: 5.4 KB without, 8.4 and 9.6 KB with), and the notify
 * throughput fell with the extra garbage collection. A drain finds the
 * responses in flight through their connections instead.
 */
export class HttpDrain {
  private readonly connections = new Set<HttpSocket>();
  private inFlight = 0;
  private draining = false;
  private idle: Array<() => void> = [];

  constructor(private readonly server: Server) {
    // Per connection, which keep-alive clients hold for many requests.
    server.on('connection', (socket: HttpSocket) => {
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
    // First listener: it runs before Koa's and can still set headers.
    server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => this.track(res));
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  private track(res: ServerResponse): void {
    this.inFlight++;
    if (this.draining) res.shouldKeepAlive = false;
    // 'close' comes after the reply is sent, or when the connection is lost before it: one listener covers both.
    res.once('close', () => {
      this.inFlight--;
      if (this.draining) {
        // the socket that just answered is idle now; nothing else will close it
        this.server.closeIdleConnections();
        if (this.inFlight === 0) this.idle.splice(0).forEach(resolve => resolve());
      }
    });
  }

  /**
   * Stops accepting connections, then waits until every accepted request has
   * been answered or `deadlineMs` has passed. Returns how many were still
   * unanswered at the deadline (their sockets are then destroyed, which is
   * what the process exit would do anyway).
   */
  async drain(deadlineMs: number): Promise<number> {
    this.draining = true;
    // replies not yet begun say `Connection: close` too
    for (const socket of this.connections) {
      const res = socket._httpMessage;
      if (res && !res.headersSent) res.shouldKeepAlive = false;
    }
    // close() also closes idle keep-alive sockets (Node ≥ 19); busy ones finish their request first.
    this.server.close();
    this.server.closeIdleConnections();
    if (this.inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>(resolve => this.idle.push(resolve)),
        new Promise<void>(resolve => { timer = setTimeout(resolve, deadlineMs); }),
      ]);
      clearTimeout(timer);
    }
    const left = this.inFlight;
    this.server.closeAllConnections();
    return left;
  }
}
