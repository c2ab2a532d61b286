import { Service } from 'egg';
import { Op, Transaction, WhereOptions } from 'sequelize';
import { OrderStatus } from '../lib/order-status';
import { Sql, sql, sqlTransaction } from '../lib/sql';
import { isUniqueViolation } from '../lib/unique-violation';
import type { StaffOrderFilter } from '../lib/staff-order-query';
import type { TradeReport } from '../lib/wxpay/gateway';
import type { Order } from '../model/order';
import type { EventSource, PaymentEventFacts } from './audit_trail';

/** What marking an order paid did. */
export type SettleOutcome =
  | 'PAID' // this report moved the order PENDING → PAID
  | 'DUPLICATE' // already PAID by this very transaction
  | 'PAID_BY_OTHER_TRANSACTION' // already PAID by another payment: a double payment
  | 'PAID_AFTER_CLOSE' // the order was closed here: money taken for a closed order
  | 'TRANSACTION_OF_ANOTHER_ORDER' // the transaction_id already paid another order: a forged or corrupt report
  | 'UNKNOWN_ORDER'
  | 'AMOUNT_MISMATCH';

/** What closing a PENDING order did: closed, or the state that kept it open. */
export type CloseOutcome =
  | { closed: true }
  | { closed: false; current: Pick<Order, 'status' | 'prepayId'> | null };

export interface NewOrder {
  orderNo: string;
  userId: number;
  amount: number;
  description: string;
  expiresAt: Date;
}

export interface NewOrderItem {
  productId: number;
  productName: string;
  unitPrice: number;
  quantity: number;
  amount: number;
}

export type PaidReport = TradeReport & { transactionId: string; amount: number };

/** An order with the openid of the user who placed it (null if that user row is gone). */
export interface OrderOfUser {
  order: Order;
  openid: string | null;
}

// The settlement's statements, in plain SQL (app/lib/sql.ts): the hot path of every notify.
const UPDATE_PAID = 'UPDATE orders SET status = ?, transaction_id = ?, paid_at = ?, updated_at = ? '
  + 'WHERE order_no = ? AND status = ? AND amount = ?';
const SELECT_FOR_OUTCOME = 'SELECT status, amount, transaction_id FROM orders WHERE order_no = ?';
const SELECT_BY_TRANSACTION = 'SELECT order_no FROM orders WHERE transaction_id = ?';
// Refunds of the order's own transaction. The reservation never lets reserved refunds exceed the amount paid.
const RESERVE_REFUND = 'UPDATE orders SET refund_reserved = refund_reserved + ?, updated_at = ? '
  + 'WHERE order_no = ? AND status = ? AND refund_reserved + ? <= amount';
// A refund WeChat made without us (merchant platform): it happened, so it is counted whatever was reserved.
const FORCE_RESERVE_REFUND = 'UPDATE orders SET refund_reserved = refund_reserved + ?, updated_at = ? WHERE order_no = ?';
const RELEASE_REFUND = 'UPDATE orders SET refund_reserved = refund_reserved - ?, updated_at = ? WHERE order_no = ? AND refund_reserved >= ?';
// status is assigned first: MySQL evaluates SET left to right with the new values, SQLite with the old ones;
// this way both compare the old refunded_amount plus this refund.
const ADD_REFUNDED = 'UPDATE orders SET status = CASE WHEN refunded_amount + ? >= amount THEN ? ELSE status END, '
  + 'refunded_amount = refunded_amount + ?, updated_at = ? WHERE order_no = ? AND status = ?';

const WITH_ITEMS = (app: Service['app']) => ({
  include: [{ model: app.model.OrderItem, as: 'items' }],
  order: [[{ model: app.model.OrderItem, as: 'items' }, 'id', 'ASC' ]] as any,
});

/**
 * The owner of `orders` and `order_items`: every write to them is one of the
 * transitions below, each a conditional update that reports what it did, so
 * no caller reads the row again to find out. Services decide; this executes.
 */
export default class OrderStoreService extends Service {
  /** Inserts a PENDING order with its items, inside the caller's transaction (stock is reserved in it too). */
  async insert(order: NewOrder, items: NewOrderItem[], transaction: Transaction): Promise<Order> {
    const created = await this.app.model.Order.create({ ...order, status: OrderStatus.PENDING }, { transaction });
    created.items = await this.app.model.OrderItem.bulkCreate(items.map(item => ({ ...item, orderId: created.id })), { transaction });
    return created;
  }

  /** An order of this user with its items, or null (someone else's order is not found either). */
  findOwned(userId: number, orderNo: string): Promise<Order | null> {
    return this.app.model.Order.findOne({ where: { orderNo, userId }, ...WITH_ITEMS(this.app) });
  }

  /** The user's orders, newest first. */
  async listForUser(userId: number, page: number, pageSize: number): Promise<{ rows: Order[]; count: number }> {
    return this.app.model.Order.findAndCountAll({
      where: { userId },
      include: [{ model: this.app.model.OrderItem, as: 'items' }],
      order: [[ 'id', 'DESC' ], [{ model: this.app.model.OrderItem, as: 'items' }, 'id', 'ASC' ]],
      limit: pageSize,
      offset: (page - 1) * pageSize,
      distinct: true,
    });
  }

  /** Stores a new prepay_id on a PENDING order; false when the order left PENDING meanwhile. */
  async savePrepay(orderId: number, prepayId: string, prepayExpiresAt: Date): Promise<boolean> {
    const [ stored ] = await this.app.model.Order.update({ prepayId, prepayExpiresAt }, {
      where: { id: orderId, status: OrderStatus.PENDING },
    });
    return stored === 1;
  }

  /**
   * PENDING → CLOSED by compare-and-set, giving the reserved stock back in the
   * same transaction. The prepay_id the caller saw is part of the condition,
   * so an order that got a new prepay meanwhile is not closed; the outcome
   * then carries the order's current status and prepay_id.
   */
  async closePending(orderId: number, seenPrepayId: string | null): Promise<CloseOutcome> {
    const { Order, OrderItem } = this.app.model;
    const outcome = await this.app.model.transaction(async (transaction): Promise<CloseOutcome> => {
      const [ updated ] = await Order.update(
        { status: OrderStatus.CLOSED, closedAt: new Date() },
        { where: { id: orderId, status: OrderStatus.PENDING, prepayId: seenPrepayId }, transaction },
      );
      if (updated !== 1) {
        const current = await Order.findByPk(orderId, { attributes: [ 'status', 'prepayId' ], transaction });
        return { closed: false, current };
      }
      const items = await OrderItem.findAll({ where: { orderId }, order: [[ 'productId', 'ASC' ]], transaction });
      await this.service.catalogue.releaseStock(items, transaction);
      return { closed: true };
    });
    if (outcome.closed) this.logger.info('[OrderStore.closePending] orderId: %d', orderId);
    return outcome;
  }

  /**
   * PENDING → PAID by compare-and-set on status and amount, in one transaction
   * with its audit row, so duplicates, concurrent copies and a notify racing a
   * query credit the order exactly once. When nothing changed, the outcome
   * says why, and that is audited too; the order is never rewritten.
   */
  async markPaid(report: PaidReport, source: EventSource): Promise<SettleOutcome> {
    const now = new Date();
    const facts = { ...source, orderNo: report.orderNo, transactionId: report.transactionId, amount: report.amount };
    let paid: boolean;
    try {
      paid = await sqlTransaction(this.app.model, async tx => {
        const updated = await tx.write(UPDATE_PAID, [
          OrderStatus.PAID, report.transactionId, report.paidAt ?? now, now, report.orderNo, OrderStatus.PENDING, report.amount,
        ]);
        if (updated !== 1) return false;
        await this.service.auditTrail.recordIn(tx, { ...facts, outcome: 'PAID' }, now);
        return true;
      });
    } catch (err) {
      // The update sets no other unique column: transaction_id is already another order's.
      if (!isUniqueViolation(err)) throw err;
      return this.refuseTransactionOfAnotherOrder(report, facts);
    }
    if (paid) return 'PAID';

    const [ order ] = await sql.select<{ status: string; amount: number; transaction_id: string | null }>(
      this.app.model, SELECT_FOR_OUTCOME, [ report.orderNo ]);
    let outcome: SettleOutcome;
    if (!order) outcome = 'UNKNOWN_ORDER';
    else if (order.amount !== report.amount) outcome = 'AMOUNT_MISMATCH';
    else if (order.status === OrderStatus.PAID || order.status === OrderStatus.REFUNDED) {
      outcome = order.transaction_id === report.transactionId ? 'DUPLICATE' : 'PAID_BY_OTHER_TRANSACTION';
    } else if (order.status === OrderStatus.CLOSED) outcome = 'PAID_AFTER_CLOSE';
    else {
      // Cannot happen (the update saw no PENDING order with this amount); keep the trace anyway.
      await this.service.auditTrail.record({ ...facts, outcome: 'UNEXPECTED_STATE', reason: order.status });
      throw new Error(`order ${report.orderNo} is ${order.status} after a failed compare-and-set`);
    }
    await this.service.auditTrail.record({ ...facts, outcome });
    return outcome;
  }

  /**
   * One WeChat transaction pays one order: a report giving this order a
   * transaction that paid another is refused for good (a retry would meet the
   * same key), audited with the order that holds it.
   */
  private async refuseTransactionOfAnotherOrder(report: PaidReport, facts: Omit<PaymentEventFacts, 'outcome'>): Promise<SettleOutcome> {
    const [ holder ] = await sql.select<{ order_no: string }>(this.app.model, SELECT_BY_TRANSACTION, [ report.transactionId ]);
    this.logger.error('[OrderStore.markPaid:transaction-of-another-order] orderNo: %s, transactionId: %s already paid order %s',
      report.orderNo, report.transactionId, holder?.order_no ?? '-');
    await this.service.auditTrail.record({
      ...facts, outcome: 'TRANSACTION_OF_ANOTHER_ORDER', reason: `transaction_id already paid order ${holder?.order_no ?? '(unknown)'}`,
    });
    return 'TRANSACTION_OF_ANOTHER_ORDER';
  }

  /** A PAID order's refundable amount is reserved for a refund, in the caller's transaction; false when it would exceed what was paid. */
  async reserveRefund(tx: Sql, orderNo: string, amount: number): Promise<boolean> {
    return await tx.write(RESERVE_REFUND, [ amount, new Date(), orderNo, OrderStatus.PAID, amount ]) === 1;
  }

  /** Counts a refund WeChat made by hand (merchant platform) in the reserved amount, whatever was reserved. */
  async forceReserveRefund(tx: Sql, orderNo: string, amount: number): Promise<void> {
    await tx.write(FORCE_RESERVE_REFUND, [ amount, new Date(), orderNo ]);
  }

  /** Gives a CLOSED or FAILED refund's amount back to the refundable amount, in the caller's transaction. */
  async releaseRefund(tx: Sql, orderNo: string, amount: number): Promise<void> {
    await tx.write(RELEASE_REFUND, [ amount, new Date(), orderNo, amount ]);
  }

  /** Counts a successful refund; the order becomes REFUNDED when all of it is refunded. In the caller's transaction. */
  async addRefunded(tx: Sql, orderNo: string, amount: number): Promise<void> {
    await tx.write(ADD_REFUNDED, [ amount, OrderStatus.REFUNDED, amount, new Date(), orderNo, OrderStatus.PAID ]);
  }

  /** One order by its number (no items); null when unknown. */
  findOrder(orderNo: string): Promise<Order | null> {
    return this.app.model.Order.findOne({ where: { orderNo } });
  }

  /**
   * PENDING orders the reconciliation schedule should look at, unclaimed:
   * past their payment window, or prepaid before `prepaidBefore` (their prepay
   * expires before then). Least recently examined first, so a backlog cannot starve newer orders.
   */
  findDueForReconciliation(now: Date, prepayExpiresBefore: Date, limit: number): Promise<Order[]> {
    return this.app.model.Order.findAll({
      where: {
        [Op.and]: [
          unclaimed(now),
          { [Op.or]: [{ expiresAt: { [Op.lte]: now } }, { prepayId: { [Op.ne]: null }, prepayExpiresAt: { [Op.lte]: prepayExpiresBefore } }] },
        ],
      },
      order: [[ 'claimedUntil', 'ASC' ], [ 'id', 'ASC' ]],
      limit,
    });
  }

  /** Takes a PENDING order until `until` unless another run holds it; false when it did not. */
  async claim(orderId: number, now: Date, until: Date): Promise<boolean> {
    const [ claimed ] = await this.app.model.Order.update(
      { claimedUntil: until },
      { where: { id: orderId, ...unclaimed(now) }, silent: true },
    );
    return claimed === 1;
  }

  /** Lets the schedule look at the order again only after `until`. */
  async postpone(orderId: number, until: Date): Promise<void> {
    await this.app.model.Order.update({ claimedUntil: until }, { where: { id: orderId }, silent: true });
  }

  /** The payments of a span of time (by WeChat's success time, paid_at): how many, and their sum in fen. */
  async paidTotals(start: Date, end: Date): Promise<{ count: number; total: number }> {
    const [ row ] = await sql.select<{ count: unknown; total: unknown }>(this.app.model,
      'SELECT COUNT(*) AS count, COALESCE(SUM(amount), 0) AS total FROM orders WHERE paid_at >= ? AND paid_at < ?', [ start, end ]);
    // MySQL answers SUM as DECIMAL text.
    return { count: Number(row?.count ?? 0), total: Number(row?.total ?? 0) };
  }

  // ---- read only, for the staff API ----

  /** Every user's orders matching a staff filter, newest first, each with its user's openid. */
  async listAll(filter: StaffOrderFilter, page: number, pageSize: number): Promise<{ rows: OrderOfUser[]; count: number }> {
    const { rows, count } = await this.app.model.Order.findAndCountAll({
      where: staffWhere(filter),
      include: [{ model: this.app.model.OrderItem, as: 'items' }],
      order: [[ 'id', 'DESC' ], [{ model: this.app.model.OrderItem, as: 'items' }, 'id', 'ASC' ]],
      limit: pageSize,
      offset: (page - 1) * pageSize,
      distinct: true,
    });
    return { rows: await this.withOpenids(rows), count };
  }

  /** One order by its number, whoever's it is, with its items and its user's openid; null when unknown. */
  async findByOrderNo(orderNo: string): Promise<OrderOfUser | null> {
    const order = await this.app.model.Order.findOne({ where: { orderNo }, ...WITH_ITEMS(this.app) });
    return order ? (await this.withOpenids([ order ]))[0] : null;
  }

  /** Pairs orders with their users' openids in one query (orders has no association to users). */
  private async withOpenids(orders: Order[]): Promise<OrderOfUser[]> {
    if (orders.length === 0) return [];
    const users = await this.app.model.User.findAll({
      where: { id: [ ...new Set(orders.map(order => order.userId)) ] },
      attributes: [ 'id', 'openid' ],
    });
    const openids = new Map(users.map(user => [ user.id, user.openid ]));
    return orders.map(order => ({ order, openid: openids.get(order.userId) ?? null }));
  }
}

/** The WHERE of a staff filter: equalities and a half-open createdAt range. */
function staffWhere(filter: StaffOrderFilter): WhereOptions<Order> {
  const where: Record<string | symbol, unknown> = {};
  if (filter.status) where.status = filter.status;
  if (filter.orderNo) where.orderNo = filter.orderNo;
  const createdAt: Record<symbol, Date> = {};
  if (filter.createdFrom) createdAt[Op.gte] = filter.createdFrom;
  if (filter.createdBefore) createdAt[Op.lt] = filter.createdBefore;
  if (Object.getOwnPropertySymbols(createdAt).length > 0) where.createdAt = createdAt;
  return where as WhereOptions<Order>;
}

/** PENDING and not held by a run (of this or another instance) right now. */
function unclaimed(now: Date) {
  return {
    status: OrderStatus.PENDING,
    [Op.or]: [{ claimedUntil: null }, { claimedUntil: { [Op.lt]: now } }],
  };
}
