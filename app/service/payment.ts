import { Service } from 'egg';
import { ConflictError, UnauthorizedError, UpstreamError } from '../lib/api-error';
import { OrderStatus } from '../lib/order-status';
import { PayGateway, RequestPaymentParams, TradeReport } from '../lib/wxpay/gateway';
import type { Order } from '../model/order';
import { errCodeOf } from '../upstream/wechatpay-errors';
import { OrderView, toOrderView } from './order';

/** What applying an order query did to the order. */
export type TradeReportEffect = 'PAID' | 'CLOSED' | 'UNCHANGED';

// Closing can race a pay call that stores a new prepay: try this many times before giving up.
const CLOSE_ATTEMPTS = 3;

/**
 * Payment use cases of an order: pay (prepay + wx.requestPayment
 * parameters), refresh (order query applied) and close. Moving an order to
 * PAID always goes through SettlementService.
 */
export default class PaymentService extends Service {
  private get gateway(): PayGateway {
    return this.service.wechatPay.gateway;
  }

  /** Parameters for wx.requestPayment; a prepay_id still valid is reused. */
  async pay(userId: number, orderNo: string, clientIp: string): Promise<RequestPaymentParams> {
    const order = await this.service.order.findOwned(userId, orderNo);
    assertPayable(order);
    const now = new Date();
    if (order.prepayId && order.prepayExpiresAt && order.prepayExpiresAt > now) {
      return this.gateway.buildPaymentParams(order.prepayId);
    }
    const user = await this.app.model.User.findByPk(userId, { attributes: [ 'openid' ] });
    if (!user) throw new UnauthorizedError('TOKEN_INVALID', 'the user of this token no longer exists: log in again');
    let prepayId: string;
    try {
      prepayId = await this.gateway.createPrepay({
        orderNo: order.orderNo,
        amount: order.amount,
        description: order.description,
        openid: user.openid,
        clientIp,
        expiresAt: order.expiresAt,
      });
    } catch (err) {
      // WeChat knows better: the order was paid (or closed) there. Settle from the query, then refuse.
      const errCode = errCodeOf(err);
      if (errCode === 'ORDERPAID' || errCode === 'ORDER_PAID' || errCode === 'ORDERCLOSED' || errCode === 'ORDER_CLOSED') {
        await this.applyTradeReport(order, await this.gateway.queryTrade(order.orderNo));
      }
      throw err;
    }
    const prepayExpiresAt = new Date(now.getTime() + this.config.wxpay.prepayTtlSeconds * 1000);
    if (!await this.service.orderStore.savePrepay(order.id, prepayId, prepayExpiresAt)) {
      // Closed (or paid) while WeChat was asked: never hand out a paySign for
      // an order that is no longer PENDING here, and close the new prepay.
      await this.gateway.closeTrade(order.orderNo).catch((err: Error) =>
        this.logger.warn('[PaymentService.pay:close-orphan] orderNo: %s, error: %s', order.orderNo, err.message));
      throw new ConflictError('ORDER_NOT_PENDING', `order ${order.orderNo} changed while it was being paid`);
    }
    this.logger.info('[PaymentService.pay:prepay] orderNo: %s, amount: %d', order.orderNo, order.amount);
    return this.gateway.buildPaymentParams(prepayId);
  }

  /** Asks WeChat about a PENDING order and applies the answer; other orders are returned as they are. */
  async refresh(userId: number, orderNo: string): Promise<OrderView> {
    const order = await this.service.order.findOwned(userId, orderNo);
    if (order.status !== OrderStatus.PENDING || !order.prepayId) return toOrderView(order);
    const effect = await this.applyTradeReport(order, await this.gateway.queryTrade(order.orderNo));
    return effect === 'UNCHANGED' ? toOrderView(order) : this.service.order.getOwned(userId, orderNo);
  }

  /** Closes at WeChat (when it was ever prepaid) and locally; a PAID order cannot be closed. */
  async close(userId: number, orderNo: string): Promise<OrderView> {
    const order = await this.service.order.findOwned(userId, orderNo);
    if (order.status === OrderStatus.CLOSED) return toOrderView(order);
    if (order.status !== OrderStatus.PENDING) {
      throw new ConflictError('ORDER_NOT_CLOSABLE', `order ${orderNo} is ${order.status} and cannot be closed`);
    }
    await this.closeEverywhere(order);
    return this.service.order.getOwned(userId, orderNo);
  }

  /**
   * Closes a PENDING order at WeChat, then here. If WeChat says it was paid
   * meanwhile, the payment is settled instead and the close refused. The local
   * close is conditional on the prepay_id seen, so a prepay created meanwhile
   * (a pay call racing this close) is closed at WeChat too before the order is.
   */
  async closeEverywhere(order: Order): Promise<void> {
    let prepayId = order.prepayId ?? null;
    for (let attempt = 0; attempt < CLOSE_ATTEMPTS; attempt++) {
      if (prepayId) await this.closeAtWechat(order);
      const outcome = await this.service.orderStore.closePending(order.id, prepayId);
      if (outcome.closed || outcome.current?.status === OrderStatus.CLOSED) return;
      if (outcome.current?.status !== OrderStatus.PENDING) {
        throw new ConflictError('ORDER_NOT_CLOSABLE', `order ${order.orderNo} is ${outcome.current?.status} and cannot be closed`);
      }
      prepayId = outcome.current.prepayId ?? null;
    }
    throw new ConflictError('ORDER_BUSY', `order ${order.orderNo} is being paid: try again`);
  }

  private async closeAtWechat(order: Order): Promise<void> {
    try {
      await this.gateway.closeTrade(order.orderNo);
    } catch (err) {
      const errCode = errCodeOf(err);
      if (errCode === 'ORDERPAID' || errCode === 'ORDER_PAID') {
        await this.applyTradeReport(order, await this.gateway.queryTrade(order.orderNo));
        throw new ConflictError('ORDER_ALREADY_PAID', `order ${order.orderNo} was paid and cannot be closed`);
      }
      throw err;
    }
  }

  /** WeChat's current view of a payment (orderquery). */
  async queryTrade(orderNo: string): Promise<TradeReport> {
    return this.gateway.queryTrade(orderNo);
  }

  /**
   * Applies what an order query said about a PENDING order, and says what it
   * did. An answer about another order, app or merchant changes nothing.
   */
  async applyTradeReport(order: Order, report: TradeReport): Promise<TradeReportEffect> {
    if (report.state !== 'NOT_FOUND' && (report.orderNo !== order.orderNo
      || report.appId !== this.config.wechat.appId || report.mchId !== this.app.wechatPayCredentials.mchId)) {
      this.logger.error('[PaymentService.applyTradeReport:foreign] orderNo: %s: the query answered about another order or merchant',
        order.orderNo);
      throw new UpstreamError('WECHATPAY_BAD_RESPONSE', 'WeChat Pay answered about another order');
    }
    const source = { source: 'query', apiVersion: this.config.wxpay.apiVersion, verified: true } as const;
    switch (report.state) {
      case 'SUCCESS':
      case 'REFUND': // paid first, refunded since: it was paid
        if (report.transactionId && report.amount !== undefined) {
          const outcome = await this.service.settlement.settlePaid({ ...report, transactionId: report.transactionId, amount: report.amount }, source);
          if (outcome === 'PAID' || outcome === 'DUPLICATE') return 'PAID';
          return outcome === 'PAID_AFTER_CLOSE' ? 'CLOSED' : 'UNCHANGED';
        }
        return 'UNCHANGED';
      case 'CLOSED':
      case 'REVOKED':
        if ((await this.service.orderStore.closePending(order.id, order.prepayId ?? null)).closed) {
          await this.service.auditTrail.record({ ...source, orderNo: order.orderNo, outcome: 'CLOSED_BY_WECHAT' });
          return 'CLOSED';
        }
        return 'UNCHANGED';
      case 'PAYERROR':
        await this.service.auditTrail.record({ ...source, orderNo: order.orderNo, outcome: 'PAYMENT_FAILED' });
        return 'UNCHANGED';
      default: // NOTPAY, USERPAYING, NOT_FOUND: nothing happened yet
        return 'UNCHANGED';
    }
  }
}

function assertPayable(order: Order): void {
  if (order.status === OrderStatus.PAID || order.status === OrderStatus.REFUNDED) {
    throw new ConflictError('ORDER_ALREADY_PAID', `order ${order.orderNo} is already paid`);
  }
  if (order.status !== OrderStatus.PENDING) {
    throw new ConflictError('ORDER_NOT_PENDING', `order ${order.orderNo} is ${order.status} and cannot be paid`);
  }
  if (order.expiresAt <= new Date()) {
    throw new ConflictError('ORDER_EXPIRED', `the payment window of order ${order.orderNo} has ended`);
  }
}
