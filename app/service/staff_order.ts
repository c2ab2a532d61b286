import { Service } from 'egg';
import { NotFoundError } from '../lib/api-error';
import { OrderStatus } from '../lib/order-status';
import type { StaffOrderQuery } from '../lib/staff-order-query';
import type { PaymentEvent } from '../model/payment_event';
import type { OrderOfUser } from './order_store';
import { OrderView, toOrderView } from './order';
import type { RefundView } from './refund';

/** An order as staff see it: the customer's view plus whose it is. */
export interface StaffOrderView extends OrderView {
  userId: number;
  openid: string | null;
}

/** A payment_events row as staff see it: what happened, never the raw body. */
export interface PaymentEventView {
  id: number;
  source: string;
  apiVersion: string;
  verified: boolean;
  outcome: string;
  reason: string | null;
  transactionId: string | null;
  amount: number | null;
  createdAt: string;
}

/**
 * The staff API's reading of orders: every user's, with their refunds and
 * payment events. Read only.
 */
export default class StaffOrderService extends Service {
  /** Every user's orders matching the query, newest first. */
  async list({ filter, page, pageSize }: StaffOrderQuery) {
    const { rows, count } = await this.service.orderStore.listAll(filter, page, pageSize);
    return { items: rows.map(toStaffOrderView), total: count, page, pageSize };
  }

  /**
   * One order, whoever's it is, with its refunds and payment events, newest
   * first, and what a refund may still take: the amount no refund holds
   * (the reservation refunds take by compare-and-set), so the console never
   * counts it a second way.
   */
  async get(orderNo: string): Promise<StaffOrderView & { refundableAmount: number; refunds: RefundView[]; events: PaymentEventView[] }> {
    const found = await this.service.orderStore.findByOrderNo(orderNo);
    if (!found) throw new NotFoundError('ORDER_NOT_FOUND', `order ${orderNo} does not exist`);
    const [ refunds, events ] = await Promise.all([
      this.service.refund.listForOrder(orderNo),
      this.service.auditTrail.listForOrder(orderNo),
    ]);
    const { order } = found;
    const refundableAmount = order.status === OrderStatus.PAID ? Math.max(0, order.amount - (order.refundReserved ?? 0)) : 0;
    return { ...toStaffOrderView(found), refundableAmount, refunds, events: events.map(toEventView) };
  }
}

function toStaffOrderView({ order, openid }: OrderOfUser): StaffOrderView {
  return { ...toOrderView(order), userId: order.userId, openid };
}

function toEventView(event: PaymentEvent): PaymentEventView {
  return {
    id: event.id,
    source: event.source,
    apiVersion: event.apiVersion,
    verified: Boolean(event.verified),
    outcome: event.outcome,
    reason: event.reason ?? null,
    transactionId: event.transactionId ?? null,
    amount: event.amount ?? null,
    createdAt: event.createdAt.toISOString(),
  };
}
