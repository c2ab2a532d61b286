import { Service } from 'egg';
import { ForeignKeyConstraintError } from 'sequelize';
import { ConflictError, NotFoundError, UnauthorizedError } from '../lib/api-error';
import { createOrderNo } from '../lib/order-no';
import { OrderStatus } from '../lib/order-status';
import { RequestedItem } from '../lib/order-input';
import type { Order } from '../model/order';

export interface OrderItemView {
  productId: number;
  name: string;
  unitPrice: number;
  quantity: number;
  amount: number;
}

export interface OrderView {
  orderNo: string;
  amount: number;
  status: OrderStatus;
  description: string;
  paidAt: string | null;
  transactionId: string | null;
  /** fen refunded successfully from the order's own payment */
  refundedAmount: number;
  createdAt: string;
  items: OrderItemView[];
}

// WeChat Pay's body/description is at most 127 characters.
const DESCRIPTION_MAX = 127;
// WeChat Pay's total_fee is a 32-bit integer of fen.
const AMOUNT_MAX = 2 ** 31 - 1;

/** Orders as the customer sees them: creation, priced from the catalogue, and reading. */
export default class OrderService extends Service {
  /**
   * Prices the items from the catalogue, reserves stock and persists the
   * order, all in one transaction: either everything happens or nothing does.
   */
  async create(userId: number, requested: RequestedItem[]): Promise<OrderView> {
    const order = await this.insertPriced(userId, requested).catch(async err => {
      // A token outlives its user (an account removed since it was issued): the
      // order's user_id then breaks its foreign key. Checked here, the one write
      // that names the user, rather than by a lookup on every authenticated request.
      if (err instanceof ForeignKeyConstraintError && !(await this.service.user.exists(userId))) {
        throw new UnauthorizedError('TOKEN_INVALID', 'the account of this token no longer exists: log in again');
      }
      throw err;
    });
    this.logger.info('[OrderService.create] orderNo: %s, userId: %d, amount: %d', order.orderNo, userId, order.amount);
    return toOrderView(order);
  }

  private insertPriced(userId: number, requested: RequestedItem[]): Promise<Order> {
    return this.app.model.transaction(async transaction => {
      const products = await this.app.model.Product.findAll({ where: { id: requested.map(l => l.productId) }, transaction });
      const byId = new Map(products.map(p => [ p.id, p ]));
      const missing = requested.find(l => !byId.has(l.productId));
      if (missing) throw new NotFoundError('PRODUCT_NOT_FOUND', `product ${missing.productId} does not exist`);

      await this.service.catalogue.reserveStock(requested, transaction);

      const priced = [ ...requested ].sort((a, b) => a.productId - b.productId).map(line => {
        const product = byId.get(line.productId)!;
        return {
          productId: product.id,
          productName: product.name,
          unitPrice: product.price,
          quantity: line.quantity,
          amount: product.price * line.quantity,
        };
      });
      const amount = priced.reduce((sum, item) => sum + item.amount, 0);
      if (!Number.isSafeInteger(amount) || amount <= 0 || amount > AMOUNT_MAX) {
        throw new ConflictError('AMOUNT_OUT_OF_RANGE', 'the order total cannot be paid with WeChat Pay');
      }
      const now = new Date();
      return this.service.orderStore.insert({
        orderNo: createOrderNo(now),
        userId,
        amount,
        description: describe(priced),
        expiresAt: new Date(now.getTime() + this.config.wxpay.paymentWindowSeconds * 1000),
      }, priced, transaction);
    });
  }

  /** The caller's orders, newest first. */
  async listForUser(userId: number, page: number, pageSize: number) {
    const { rows, count } = await this.service.orderStore.listForUser(userId, page, pageSize);
    return { items: rows.map(toOrderView), total: count, page, pageSize };
  }

  /** An order of the caller's; someone else's order is "not found", never "forbidden". */
  async findOwned(userId: number, orderNo: string): Promise<Order> {
    const order = await this.service.orderStore.findOwned(userId, orderNo);
    if (!order) throw new NotFoundError('ORDER_NOT_FOUND', `order ${orderNo} does not exist`);
    return order;
  }

  async getOwned(userId: number, orderNo: string): Promise<OrderView> {
    return toOrderView(await this.findOwned(userId, orderNo));
  }
}

function describe(items: Array<{ productName: string; quantity: number }>): string {
  const first = `${items[0].productName} x${items[0].quantity}`;
  const text = items.length > 1 ? `${first} and ${items.length - 1} more` : first;
  return text.length > DESCRIPTION_MAX ? `${text.slice(0, DESCRIPTION_MAX - 1)}…` : text;
}

/** The order as the API shows it. */
export function toOrderView(order: Order): OrderView {
  return {
    orderNo: order.orderNo,
    amount: order.amount,
    status: order.status,
    description: order.description,
    paidAt: order.paidAt ? order.paidAt.toISOString() : null,
    transactionId: order.transactionId ?? null,
    refundedAmount: order.refundedAmount ?? 0,
    createdAt: order.createdAt.toISOString(),
    items: (order.items ?? []).map(item => ({
      productId: item.productId,
      name: item.productName,
      unitPrice: item.unitPrice,
      quantity: item.quantity,
      amount: item.amount,
    })),
  };
}
