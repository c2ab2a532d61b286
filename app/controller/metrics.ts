import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller } from 'egg';
import { ApiError } from '../lib/api-error';
import { bearerToken } from '../lib/bearer';

/** Compares digests, so neither the token's length nor its content leaks through timing. */
function sameToken(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export default class MetricsController extends Controller {
  // GET /metrics: Prometheus' text format, the sum of every worker's metrics;
  // 404 unless METRICS_TOKEN is set, 401 without it as a Bearer token, 503 when a worker did not answer
  async scrape() {
    const { token, scrapeTimeoutMs } = this.config.metrics;
    // Not configured: answered as any unknown route is (the error handler's 404), nothing says it exists.
    if (!token) return;
    const given = bearerToken(this.ctx.get('Authorization'));
    if (given === null || !sameToken(given, token)) {
      throw new ApiError(401, 'UNAUTHORIZED', 'a valid metrics token is required', { 'WWW-Authenticate': 'Bearer realm="metrics"' });
    }
    try {
      const { text, contentType } = await this.app.metricsScraper.scrape(scrapeTimeoutMs);
      this.ctx.type = contentType;
      this.ctx.body = text;
    } catch (err) {
      this.logger.error('[MetricsController.scrape:failed] %s', (err as Error).message);
      this.ctx.status = 503;
      this.ctx.body = { code: 'METRICS_UNAVAILABLE', message: 'not every worker answered; try the next scrape' };
    }
  }
}
