import { Controller } from 'egg';
import { NotFoundError } from '../../lib/api-error';
import { isOrderNo } from '../../lib/order-no';
import { parseStaffOrderQuery } from '../../lib/staff-order-query';

/** Every user's orders, for any member of staff (read only). */
export default class AdminOrderController extends Controller {
  // GET /admin/api/orders?status=&orderNo=&from=&to=&page=&pageSize=
  async index() {
    this.ctx.body = await this.service.staffOrder.list(parseStaffOrderQuery(this.ctx.query));
  }

  // GET /admin/api/orders/:orderNo
  async show() {
    const { orderNo } = this.ctx.params;
    // a path orderNo that cannot be ours is simply not found
    if (!isOrderNo(orderNo)) throw new NotFoundError('ORDER_NOT_FOUND', 'no such order');
    this.ctx.body = await this.service.staffOrder.get(orderNo);
  }
}
