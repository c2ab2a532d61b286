import { Controller } from 'egg';
import { NotFoundError } from '../lib/api-error';
import { isOrderNo } from '../lib/order-no';
import { parseOrderItems, parsePagination } from '../lib/order-input';

export default class OrderController extends Controller {
  // POST /api/orders { items: [{ productId, quantity }] }
  async create() {
    const items = parseOrderItems(this.ctx.request.body, this.config.order);
    this.ctx.status = 201;
    this.ctx.body = await this.service.order.create(this.ctx.state.userId, items);
  }

  // GET /api/orders?page=&pageSize=
  async index() {
    const { page, pageSize } = parsePagination(this.ctx.query);
    this.ctx.body = await this.service.order.listForUser(this.ctx.state.userId, page, pageSize);
  }

  // GET /api/orders/:orderNo[?refresh=1]
  async show() {
    const { userId } = this.ctx.state;
    this.ctx.body = this.ctx.query.refresh === '1'
      ? await this.service.payment.refresh(userId, this.orderNo())
      : await this.service.order.getOwned(userId, this.orderNo());
  }

  // POST /api/orders/:orderNo/pay
  async pay() {
    this.ctx.body = await this.service.payment.pay(this.ctx.state.userId, this.orderNo(), this.ctx.ip);
  }

  // POST /api/orders/:orderNo/close
  async close() {
    this.ctx.body = await this.service.payment.close(this.ctx.state.userId, this.orderNo());
  }

  /** A path orderNo that cannot be ours is simply not found. */
  private orderNo(): string {
    const { orderNo } = this.ctx.params;
    if (!isOrderNo(orderNo)) throw new NotFoundError('ORDER_NOT_FOUND', 'no such order');
    return orderNo;
  }
}
