import { Service } from 'egg';
import { literal, Op, Transaction } from 'sequelize';
import { ConflictError, NotFoundError } from '../lib/api-error';
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
  createdAt: string;
  items: OrderItemView[];
}

// WeChat Pay's body/description is at most 127 characters.
const DESCRIPTION_MAX = 127;

export default class OrderService extends Service {
  /**
   * Prices the items from the catalogue, reserves stock and persists the
   * order, all in one transaction: either everything happens or nothing does.
   */
  async create(userId: number, requested: RequestedItem[]): Promise<OrderView> {
    const { Product, Order, OrderItem } = this.app.model;
    // Lock products in id order so concurrent orders cannot deadlock.
    const lines = [ ...requested ].sort((a, b) => a.productId - b.productId);
    const order = await this.app.model.transaction(async transaction => {
      const products = await Product.findAll({ where: { id: lines.map(l => l.productId) }, transaction });
      const byId = new Map(products.map(p => [ p.id, p ]));
      const missing = lines.find(l => !byId.has(l.productId));
      if (missing) throw new NotFoundError('PRODUCT_NOT_FOUND', `product ${missing.productId} does not exist`);

      for (const line of lines) await this.reserveStock(line, transaction);

      const priced = lines.map(line => {
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
      if (!Number.isSafeInteger(amount) || amount <= 0 || amount > 2 ** 31 - 1) {
        throw new ConflictError('AMOUNT_OUT_OF_RANGE', 'the order total cannot be paid with WeChat Pay');
      }
      const now = new Date();
      const created = await Order.create({
        orderNo: createOrderNo(now),
        userId,
        amount,
        description: describe(priced),
        status: OrderStatus.PENDING,
        expiresAt: new Date(now.getTime() + this.config.wxpay.paymentWindowSeconds * 1000),
      }, { transaction });
      const items = await OrderItem.bulkCreate(priced.map(item => ({ ...item, orderId: created.id })), { transaction });
      created.items = items;
      return created;
    });
    this.logger.info('[OrderService.create] orderNo: %s, userId: %d, amount: %d', order.orderNo, userId, order.amount);
    return toOrderView(order);
  }

  /** The caller's orders, newest first. */
  async listForUser(userId: number, page: number, pageSize: number) {
    const { rows, count } = await this.app.model.Order.findAndCountAll({
      where: { userId },
      include: [{ model: this.app.model.OrderItem, as: 'items' }],
      order: [[ 'id', 'DESC' ], [{ model: this.app.model.OrderItem, as: 'items' }, 'id', 'ASC' ]],
      limit: pageSize,
      offset: (page - 1) * pageSize,
      distinct: true,
    });
    return { items: rows.map(toOrderView), total: count, page, pageSize };
  }

  /** An order of the caller's; someone else's order is "not found", never "forbidden". */
  async findOwned(userId: number, orderNo: string): Promise<Order> {
    const order = await this.app.model.Order.findOne({
      where: { orderNo, userId },
      include: [{ model: this.app.model.OrderItem, as: 'items' }],
      order: [[{ model: this.app.model.OrderItem, as: 'items' }, 'id', 'ASC' ]],
    });
    if (!order) throw new NotFoundError('ORDER_NOT_FOUND', `order ${orderNo} does not exist`);
    return order;
  }

  async getOwned(userId: number, orderNo: string): Promise<OrderView> {
    return toOrderView(await this.findOwned(userId, orderNo));
  }

  /**
   * PENDING → CLOSED by compare-and-set, giving the reserved stock back in the
   * same transaction. The prepay_id the caller saw is part of the condition:
   * false when the order is not PENDING any more or got a new prepay meanwhile.
   */
  async closePending(orderId: number, seenPrepayId: string | null): Promise<boolean> {
    const { Order, OrderItem, Product } = this.app.model;
    const closed = await this.app.model.transaction(async transaction => {
      const [ updated ] = await Order.update(
        { status: OrderStatus.CLOSED, closedAt: new Date() },
        { where: { id: orderId, status: OrderStatus.PENDING, prepayId: seenPrepayId }, transaction },
      );
      if (updated !== 1) return false;
      const items = await OrderItem.findAll({ where: { orderId }, order: [[ 'productId', 'ASC' ]], transaction });
      for (const item of items) {
        await Product.update(
          { stock: literal(`stock + ${Number(item.quantity)}`) },
          { where: { id: item.productId }, transaction },
        );
      }
      return true;
    });
    if (closed) this.logger.info('[OrderService.closePending] orderId: %d', orderId);
    return closed;
  }

  /** Takes `quantity` from stock if that much is left (a compare-and-set, never negative). */
  private async reserveStock(line: RequestedItem, transaction: Transaction) {
    const [ affected ] = await this.app.model.Product.update(
      { stock: literal(`stock - ${Number(line.quantity)}`) },
      { where: { id: line.productId, stock: { [Op.gte]: line.quantity } }, transaction },
    );
    if (affected !== 1) {
      throw new ConflictError('OUT_OF_STOCK', `not enough stock for product ${line.productId}`);
    }
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
