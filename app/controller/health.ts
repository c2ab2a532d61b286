import { Controller } from 'egg';

export default class HealthController extends Controller {
  // GET /healthz: 200 only when the database answers
  async check() {
    try {
      await this.app.model.query('SELECT 1', { raw: true });
      this.ctx.body = { status: 'ok' };
    } catch (err) {
      this.logger.error('[HealthController.check:database] %s', (err as Error).message);
      this.ctx.status = 503;
      this.ctx.body = { code: 'DATABASE_UNAVAILABLE', message: 'the database does not answer' };
    }
  }
}
