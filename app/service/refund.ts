import { Service } from 'egg';
import { ApiError, ConflictError, NotFoundError, UpstreamError } from '../lib/api-error';
import { OrderStatus } from '../lib/order-status';
import { automaticRefundNo, createRefundNo, refundNotifyUrl } from '../lib/refund-no';
import { canMove, RefundStatus, releasesReservation } from '../lib/refund-status';
import { sqlTransaction } from '../lib/sql';
import type { PayGateway } from '../lib/wxpay/gateway';
import type { RefundReport } from '../lib/wxpay/refund';
import type { Refund } from '../model/refund';
import { isRefusal, WechatPayError } from '../upstream/wechatpay-errors';
import type { EventSource, PaymentEventFacts } from './audit_trail';
import { isDuplicateKey, NewRefund } from './refund_store';

export interface RefundView {
  refundNo: string;
  orderNo: string;
  transactionId: string;
  amount: number;
  reason: string | null;
  status: RefundStatus;
  createdBy: string;
  createdAt: string;
  succeededAt: string | null;
}

export interface RefundInput {
  orderNo: string;
  amount: number;
  reason: string | null;
  idempotencyKey: string | null;
  createdBy: string;
}

/** What a refund request came to: 200 (an Idempotency-Key replay), 201 (accepted) or 202 (outcome unknown). */
export interface RefundResult {
  status: 200 | 201 | 202;
  refund: RefundView;
}

/** What applying a report of WeChat's did to a refund. */
export type RefundReportEffect = 'MOVED' | 'DUPLICATE' | 'STALE';

const STATE_TO_STATUS: Record<RefundReport['state'], RefundStatus> = {
  PROCESSING: RefundStatus.PROCESSING,
  SUCCESS: RefundStatus.SUCCESS,
  CLOSED: RefundStatus.CLOSED,
  ABNORMAL: RefundStatus.ABNORMAL,
};

/** 502: WeChat Pay refused the refund for good; the message names WeChat's code. */
export class RefundRefusedError extends ApiError {
  constructor(readonly wechatCode: string, readonly refund: RefundView) {
    super(502, 'REFUND_REFUSED', `WeChat Pay refused the refund (${wechatCode})`);
  }
}

/**
 * Refunds: the refundable amount reserved by a compare-and-set and the refund
 * row committed before WeChat is called; the same refund_no on every retry;
 * statuses only move forward, and what a move means for the order (refunded
 * amount, REFUNDED, reservation released) is written in the same transaction.
 */
export default class RefundService extends Service {
  private get gateway(): PayGateway {
    return this.service.wechatPay.gateway;
  }

  /** A refund of part or all of a PAID order's own payment, asked for by staff. */
  async create(input: RefundInput): Promise<RefundResult> {
    const order = await this.service.orderStore.findOrder(input.orderNo);
    if (!order) throw new NotFoundError('ORDER_NOT_FOUND', `order ${input.orderNo} does not exist`);
    if (input.idempotencyKey) {
      const replay = await this.replay(input);
      if (replay) return replay;
    }
    if (order.status !== OrderStatus.PAID || !order.transactionId) {
      throw new ConflictError('ORDER_NOT_REFUNDABLE', `order ${order.orderNo} is ${order.status} and cannot be refunded`);
    }
    const refund: NewRefund = {
      refundNo: createRefundNo(),
      orderNo: order.orderNo,
      transactionId: order.transactionId,
      ownTransaction: true,
      amount: input.amount,
      transactionTotal: order.amount,
      reason: input.reason,
      createdBy: input.createdBy,
      idempotencyKey: input.idempotencyKey,
      status: RefundStatus.PROCESSING,
    };
    try {
      await sqlTransaction(this.app.model, async tx => {
        if (!await this.service.orderStore.reserveRefund(tx, order.orderNo, input.amount)) {
          throw new ConflictError('REFUND_EXCEEDS_REFUNDABLE', `more than the refundable amount of order ${order.orderNo}`);
        }
        await this.service.refundStore.insert(tx, refund);
      });
    } catch (err) {
      // The same Idempotency-Key raced this request and won (its row, or its
      // reservation of the whole amount, came first): answer what it made.
      if (input.idempotencyKey && (isDuplicateKey(err) || err instanceof ConflictError)) {
        const replay = await this.replay(input);
        if (replay) return replay;
      }
      if (err instanceof ConflictError) await this.explainRefusedReservation(order.orderNo);
      throw err;
    }
    this.logger.info('[RefundService.create] refundNo: %s, orderNo: %s, amount: %d, by: %s',
      refund.refundNo, refund.orderNo, refund.amount, refund.createdBy);
    this.app.metrics.refundMoved('NEW', refund.status);
    return this.submit(refund.refundNo);
  }

  /**
   * Refunds in full a verified payment the order cannot keep (a second
   * transaction, a payment of a closed order), by its transaction_id. Its
   * number comes from the transaction, so it is created once however often the
   * payment is reported; it is submitted after the caller's answer, and by the
   * schedule if that fails. False when it already existed.
   */
  async refundForeignPayment(payment: { orderNo: string; transactionId: string; amount: number }, reason: string): Promise<boolean> {
    const refundNo = automaticRefundNo(payment.transactionId);
    try {
      await sqlTransaction(this.app.model, tx => this.service.refundStore.insert(tx, {
        refundNo,
        orderNo: payment.orderNo,
        transactionId: payment.transactionId,
        ownTransaction: false,
        amount: payment.amount,
        transactionTotal: payment.amount,
        reason,
        createdBy: 'system',
        idempotencyKey: null,
        status: RefundStatus.PROCESSING,
      }));
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
    this.logger.warn('[RefundService.refundForeignPayment] refundNo: %s, orderNo: %s, transactionId: %s, amount: %d: %s',
      refundNo, payment.orderNo, payment.transactionId, payment.amount, reason);
    this.app.metrics.refundMoved('NEW', RefundStatus.PROCESSING);
    this.ctx.runInBackground(async () => {
      await this.submit(refundNo).catch(err => this.logger.warn('[RefundService.refundForeignPayment:submit] refundNo: %s, %s', refundNo, (err as Error).message));
    });
    return true;
  }

  /**
   * A refund made by hand in the merchant platform, of our order's own
   * payment, kept as ours (`createdBy: "merchant-platform"`), as a refund
   * notify or the daily bill reports it. Ours only when the order exists and
   * the transaction (and, when reported, the total) is the order's. Its
   * status comes later, from a notify or the refund schedule's query.
   */
  async importPlatformRefund(report: {
    refundNo: string; refundId?: string | null; orderNo: string; transactionId: string; amount: number; total?: number; acceptedAt: Date;
  }): Promise<boolean> {
    const order = await this.service.orderStore.findOrder(report.orderNo);
    if (!order || order.transactionId !== report.transactionId || (report.total !== undefined && order.amount !== report.total)) return false;
    try {
      await sqlTransaction(this.app.model, async tx => {
        // WeChat has moved the money: count it whatever we had reserved.
        await this.service.orderStore.forceReserveRefund(tx, order.orderNo, report.amount);
        await this.service.refundStore.insert(tx, {
          refundNo: report.refundNo,
          orderNo: order.orderNo,
          transactionId: report.transactionId,
          ownTransaction: true,
          amount: report.amount,
          transactionTotal: order.amount,
          reason: null,
          createdBy: 'merchant-platform',
          idempotencyKey: null,
          status: RefundStatus.PROCESSING,
          wechatRefundId: report.refundId ?? null,
          acceptedAt: report.acceptedAt,
        });
      });
      this.app.metrics.refundMoved('NEW', RefundStatus.PROCESSING);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Imported by a concurrent copy of this report.
    }
    this.logger.info('[RefundService.importPlatformRefund] refundNo: %s, orderNo: %s, amount: %d', report.refundNo, order.orderNo, report.amount);
    return true;
  }

  /**
   * Applies (or re-applies, with the same refund_no) for a refund at WeChat.
   * Accepted: 201. Unknown (time-out, 5xx, SYSTEMERROR, an answer we cannot
   * believe): 202, the schedule tries again after RECONCILE_AFTER_SECONDS.
   * Refused for good: FAILED, reservation released, RefundRefusedError.
   */
  async submit(refundNo: string): Promise<RefundResult> {
    const refund = await this.mustFind(refundNo);
    let report: RefundReport;
    try {
      report = await this.gateway.refund({
        refundNo: refund.refundNo,
        transactionId: refund.transactionId,
        total: refund.transactionTotal,
        amount: refund.amount,
        reason: refund.reason,
        notifyUrl: refundNotifyUrl(this.config.wxpay.refundNotifyUrl, this.config.wxpay.notifyUrl, this.config.wxpay.apiVersion),
      });
    } catch (err) {
      if (isRefusal(err)) {
        await this.applyStatus(refund, RefundStatus.FAILED, { wechatCode: err.errCode });
        this.logger.warn('[RefundService.submit:refused] refundNo: %s, code: %s', refundNo, err.errCode);
        throw new RefundRefusedError(err.errCode, toRefundView(await this.mustFind(refundNo)));
      }
      const code = err instanceof WechatPayError ? err.errCode : 'ERROR';
      const retryAt = new Date(Date.now() + this.config.wxpay.reconcileAfterSeconds * 1000);
      await this.service.refundStore.noteUnknownOutcome(refundNo, code, retryAt);
      this.logger.warn('[RefundService.submit:unknown] refundNo: %s, code: %s: re-submitted after %s', refundNo, code, retryAt.toISOString());
      return { status: 202, refund: toRefundView(await this.mustFind(refundNo)) };
    }
    await this.service.refundStore.markAccepted(refundNo, report.refundId, new Date());
    // Accepted is not done: the schedule asks about it after RECONCILE_AFTER_SECONDS unless a notify ends it first.
    await this.service.refundStore.noteNextLook(refundNo, new Date(Date.now() + this.config.wxpay.reconcileAfterSeconds * 1000));
    if (report.state !== 'PROCESSING') await this.applyReport(await this.mustFind(refundNo), report);
    return { status: 201, refund: toRefundView(await this.mustFind(refundNo)) };
  }

  /** Asks WeChat about a refund and applies the answer (staff `?refresh=1`, the schedule). */
  async refresh(refundNo: string): Promise<RefundView> {
    const refund = await this.mustFind(refundNo);
    if (refund.status === RefundStatus.PROCESSING || refund.status === RefundStatus.ABNORMAL) {
      const report = await this.gateway.queryRefund(refundNo);
      if (report !== 'NOT_FOUND') {
        if (report.transactionId !== refund.transactionId || (report.amount !== undefined && report.amount !== refund.amount)) {
          throw new UpstreamError('WECHATPAY_BAD_RESPONSE', 'WeChat Pay answered about another refund');
        }
        await this.service.refundStore.markAccepted(refundNo, report.refundId, new Date());
        await this.applyReport(await this.mustFind(refundNo), report,
          { source: 'refund_query', apiVersion: this.config.wxpay.apiVersion, verified: true });
      }
    }
    return toRefundView(await this.mustFind(refundNo));
  }

  /**
   * Moves a refund to the status WeChat reports, if that moves it forward;
   * a repeat is a DUPLICATE and a report that would move it back is STALE,
   * and neither changes anything. With `event` (a notify or a query), the
   * audit row is written with the move, in its transaction.
   */
  async applyReport(refund: Refund, report: RefundReport, event?: EventSource): Promise<RefundReportEffect> {
    const to = STATE_TO_STATUS[report.state];
    const audit = event && {
      ...event, orderNo: refund.orderNo, transactionId: refund.transactionId, amount: refund.amount, reason: refund.refundNo,
    };
    let effect: RefundReportEffect = 'DUPLICATE';
    if (refund.status !== to) {
      if (!canMove(refund.status, to)) {
        effect = 'STALE';
        if (refund.status === RefundStatus.FAILED && to === RefundStatus.SUCCESS) {
          // WeChat says it refunded what we recorded as refused: the books need a person.
          this.logger.error('[RefundService.applyReport:succeeded-after-failed] refundNo: %s, orderNo: %s, amount: %d',
            refund.refundNo, refund.orderNo, refund.amount);
        }
      } else if (await this.applyStatus(refund, to, { succeededAt: report.succeededAt, wechatRefundId: report.refundId },
        audit && { ...audit, outcome: `REFUND_${report.state}_MOVED` })) {
        return 'MOVED';
      }
    }
    if (audit) await this.service.auditTrail.record({ ...audit, outcome: `REFUND_${report.state}_${effect}` });
    return effect;
  }

  async get(refundNo: string): Promise<RefundView> {
    return toRefundView(await this.mustFind(refundNo));
  }

  async list(status: RefundStatus | undefined, page: number, pageSize: number) {
    const { rows, count } = await this.service.refundStore.list(status, page, pageSize);
    return { items: rows.map(toRefundView), total: count, page, pageSize };
  }

  /** The refunds of an order, newest first. */
  async listForOrder(orderNo: string): Promise<RefundView[]> {
    return (await this.service.refundStore.listForOrder(orderNo)).map(toRefundView);
  }

  /**
   * The move and what it means for the order, in one transaction: a SUCCESS of
   * the order's own payment counts in its refunded amount (REFUNDED when all of
   * it is), a CLOSED or FAILED one gives its reservation back.
   */
  private async applyStatus(refund: Refund, to: RefundStatus, facts: { wechatCode?: string; succeededAt?: Date; wechatRefundId?: string },
    audit?: PaymentEventFacts): Promise<boolean> {
    const succeededAt = to === RefundStatus.SUCCESS ? facts.succeededAt ?? new Date() : undefined;
    const moved = await sqlTransaction(this.app.model, async tx => {
      if (!await this.service.refundStore.move(tx, refund.refundNo, to, { ...facts, succeededAt })) return false;
      if (refund.ownTransaction) {
        if (to === RefundStatus.SUCCESS) await this.service.orderStore.addRefunded(tx, refund.orderNo, refund.amount);
        if (releasesReservation(to)) await this.service.orderStore.releaseRefund(tx, refund.orderNo, refund.amount);
      }
      if (audit) await this.service.auditTrail.recordIn(tx, audit, new Date());
      return true;
    });
    if (moved) {
      this.logger.info('[RefundService.applyStatus] refundNo: %s, %s → %s', refund.refundNo, refund.status, to);
      this.app.metrics.refundMoved(refund.status, to);
    }
    return moved;
  }

  /** The refund an Idempotency-Key already made: 200 with it, or 409 when the amount differs. */
  private async replay(input: RefundInput): Promise<RefundResult | undefined> {
    const existing = await this.service.refundStore.findByIdempotencyKey(input.orderNo, input.idempotencyKey!);
    if (!existing) return undefined;
    if (existing.amount !== input.amount) {
      throw new ConflictError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for another amount');
    }
    return { status: 200, refund: toRefundView(existing) };
  }

  /** A failed reservation: the order may have left PAID meanwhile, which is the truer answer. */
  private async explainRefusedReservation(orderNo: string): Promise<void> {
    const order = await this.service.orderStore.findOrder(orderNo);
    if (order && order.status !== OrderStatus.PAID) {
      throw new ConflictError('ORDER_NOT_REFUNDABLE', `order ${orderNo} is ${order.status} and cannot be refunded`);
    }
  }

  private async mustFind(refundNo: string): Promise<Refund> {
    const refund = await this.service.refundStore.findByRefundNo(refundNo);
    if (!refund) throw new NotFoundError('REFUND_NOT_FOUND', `refund ${refundNo} does not exist`);
    return refund;
  }
}

/** A refund as the API shows it. */
export function toRefundView(refund: Refund): RefundView {
  return {
    refundNo: refund.refundNo,
    orderNo: refund.orderNo,
    transactionId: refund.transactionId,
    amount: refund.amount,
    reason: refund.reason,
    status: refund.status,
    createdBy: refund.createdBy,
    createdAt: refund.createdAt.toISOString(),
    succeededAt: refund.succeededAt ? refund.succeededAt.toISOString() : null,
  };
}
