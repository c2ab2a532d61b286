import { Controller } from 'egg';
import { NotFoundError } from '../../lib/api-error';
import { isOrderNo } from '../../lib/order-no';
import { isRefundNo } from '../../lib/refund-no';
import { parseRefundListQuery, parseRefundRequest } from '../../lib/refund-input';

/** Refunds, for staff: operators make them, anyone reads them. */
export default class AdminRefundController extends Controller {
  // POST /admin/api/orders/:orderNo/refunds { amount, reason? } (operator; Idempotency-Key header optional)
  async create() {
    const { orderNo } = this.ctx.params;
    if (!isOrderNo(orderNo)) throw new NotFoundError('ORDER_NOT_FOUND', 'no such order');
    const input = parseRefundRequest(this.ctx.request.body, this.ctx.get('idempotency-key') || undefined);
    const result = await this.service.refund.create({ ...input, orderNo, createdBy: this.ctx.state.staff.username });
    this.ctx.status = result.status;
    this.ctx.body = result.refund;
  }

  // GET /admin/api/refunds?status=&page=&pageSize=
  async index() {
    const { status, page, pageSize } = parseRefundListQuery(this.ctx.query);
    this.ctx.body = await this.service.refund.list(status, page, pageSize);
  }

  // GET /admin/api/refunds/:refundNo[?refresh=1]
  async show() {
    const { refundNo } = this.ctx.params;
    if (!isRefundNo(refundNo)) throw new NotFoundError('REFUND_NOT_FOUND', 'no such refund');
    this.ctx.body = this.ctx.query.refresh === '1'
      ? await this.service.refund.refresh(refundNo)
      : await this.service.refund.get(refundNo);
  }
}
