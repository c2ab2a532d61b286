import type { Server, ServerResponse } from 'node:http';

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

/**
 * Counts the requests a server is answering, so that a close can wait for
 * them; while draining, every reply says `Connection: close` so keep-alive
 * clients (a load balancer, WeChat) take their next request elsewhere.
 */
export class HttpDrain {
  private readonly inFlight = new Set<ServerResponse>();
  private draining = false;
  private idle: Array<() => void> = [];

  constructor(private readonly server: Server) {
    // First listener: it runs before Koa's and can still set headers.
    server.prependListener('request', (_req, res: ServerResponse) => this.track(res));
  }

  get requestsInFlight(): number {
    return this.inFlight.size;
  }

  private track(res: ServerResponse): void {
    this.inFlight.add(res);
    if (this.draining) res.shouldKeepAlive = false;
    const finish = () => {
      this.inFlight.delete(res);
      if (this.draining) {
        // the socket that just answered is idle now; nothing else will close it
        this.server.closeIdleConnections();
        if (this.inFlight.size === 0) this.idle.splice(0).forEach(resolve => resolve());
      }
    };
    // 'close' comes after the reply is sent, or when the connection is lost before it: one listener covers both.
    res.once('close', finish);
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
    for (const res of this.inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    // close() also closes idle keep-alive sockets (Node ≥ 19); busy ones finish their request first.
    this.server.close();
    this.server.closeIdleConnections();
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>(resolve => this.idle.push(resolve)),
        new Promise<void>(resolve => { timer = setTimeout(resolve, deadlineMs); }),
      ]);
      clearTimeout(timer);
    }
    const left = this.inFlight.size;
    this.server.closeAllConnections();
    return left;
  }
}
