import { Controller } from 'egg';
import { withinDeadline } from '../lib/deadline';

// A load balancer's probe gives up after a few seconds: the answer comes within 2 s, the query
// having 1.5 s of it (the rest is margin for a busy event loop, e.g. a stall's queued notifies).
const HEALTH_DEADLINE_MS = 1500;

export default class HealthController extends Controller {
  // GET /healthz: 200 only when the database answers, 503 when it fails or does not answer within 1.5 s
  async check() {
    try {
      const answered = await withinDeadline(this.app.model.query('SELECT 1', { raw: true }), HEALTH_DEADLINE_MS, err => {
        this.logger.warn('[HealthController.check:late] %s', (err as Error).message);
      });
      if (answered.done) {
        this.ctx.body = { status: 'ok' };
        return;
      }
      this.logger.error('[HealthController.check:database] no answer within %d ms', HEALTH_DEADLINE_MS);
    } catch (err) {
      this.logger.error('[HealthController.check:database] %s', (err as Error).message);
    }
    this.ctx.status = 503;
    this.ctx.body = { code: 'DATABASE_UNAVAILABLE', message: 'the database does not answer' };
  }
}
