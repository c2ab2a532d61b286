import { Controller } from 'egg';
import getRawBody from 'raw-body';
import { v2NotifyReply } from '../lib/wxpay/v2-notify';
import { NotifyAck, NotifyBody } from '../service/notify';

const BODY_LIMIT = '1mb';

export default class NotifyController extends Controller {
  // POST /api/pay/notify (WeChat Pay v2: signed XML, answered with XML)
  async v2() {
    const body = await this.readRawBody();
    let ack: NotifyAck;
    try {
      ack = await this.service.notify.receiveV2(body);
    } catch (err) {
      // Nothing was committed: say FAIL so WeChat delivers it again.
      this.logger.error('[NotifyController.v2:failed] %s', (err as Error).message);
      ack = { ok: false, status: 200, message: 'temporarily unavailable, retry later' };
    }
    this.ctx.status = ack.status;
    this.ctx.type = 'text/xml';
    this.ctx.body = v2NotifyReply(ack.ok, ack.message);
  }

  // POST /api/pay/notify/v3 (WeChat Pay v3: signed headers, encrypted resource)
  async v3() {
    const body = await this.readRawBody();
    try {
      const ack = await this.service.notify.receiveV3(this.ctx.req.headers, body);
      this.ctx.status = ack.status;
      if (!ack.ok) this.ctx.body = { code: 'FAIL', message: ack.message };
    } catch (err) {
      // Nothing was committed: a 5xx makes WeChat deliver it again.
      this.logger.error('[NotifyController.v3:failed] %s', (err as Error).message);
      this.ctx.status = 500;
      this.ctx.body = { code: 'FAIL', message: 'temporarily unavailable, retry later' };
    }
  }

  /** The exact bytes WeChat signed; the body parser is kept off these routes (config). */
  private async readRawBody(): Promise<NotifyBody> {
    try {
      const raw = await getRawBody(this.ctx.req, { limit: BODY_LIMIT, encoding: 'utf8' });
      return raw.length === 0 ? { problem: 'EMPTY' } : { raw };
    } catch (err) {
      return { problem: (err as { status?: number }).status === 413 ? 'TOO_LARGE' : 'UNREADABLE' };
    }
  }
}
