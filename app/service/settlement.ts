import { Service } from 'egg';
import type { EventSource } from './audit_trail';
import type { PaidReport, SettleOutcome } from './order_store';

/** A payment an order cannot keep: a second transaction of a paid order, or a payment of a closed one. */
export type UnkeptPayment = 'PAID_BY_OTHER_TRANSACTION' | 'PAID_AFTER_CLOSE';

/** What became of an unkept payment: its automatic refund made now, made before, or not made (AUTO_REFUND=false). */
export type AutomaticRefundEffect = 'CREATED' | 'EXISTS' | 'DISABLED';

/**
 * What a verified "paid" report means for the business, whoever brought it
 * (notify v2 or v3, order query, the reconciliation schedule): the order moves
 * to PAID through the order store's one compare-and-set, and a payment the
 * order cannot keep (a second transaction, a closed order) is flagged.
 */
export default class SettlementService extends Service {
  /** Applies a verified SUCCESS report (transactionId and amount present). */
  async settlePaid(report: PaidReport, source: EventSource): Promise<SettleOutcome> {
    const started = Date.now();
    const outcome = await this.service.orderStore.markPaid(report, source);
    switch (outcome) {
      case 'PAID':
        this.logger.info('[Settlement.settlePaid:paid] orderNo: %s, transactionId: %s, via: %s %s',
          report.orderNo, report.transactionId, source.apiVersion, source.source);
        break;
      case 'DUPLICATE':
        break;
      case 'PAID_BY_OTHER_TRANSACTION':
      case 'PAID_AFTER_CLOSE':
        await this.refundForeignPayment(outcome, report);
        break;
      default:
        this.logger.warn('[Settlement.settlePaid:%s] orderNo: %s', outcome, report.orderNo);
    }
    this.app.metrics.settled(source.source, outcome, (Date.now() - started) / 1000);
    return outcome;
  }

  /**
   * A payment the order cannot keep is refunded in full, automatically
   * (AUTO_REFUND, on by default); the refund is persisted before the report's
   * answer, so a notify is acknowledged only once its refund cannot be lost.
   * Also the way the daily bill reconciliation refunds what it finds.
   */
  async refundForeignPayment(outcome: UnkeptPayment, report: Pick<PaidReport, 'orderNo' | 'transactionId' | 'amount'>): Promise<AutomaticRefundEffect> {
    if (!this.config.wxpay.autoRefund) {
      this.logger.error('[Settlement.settlePaid:%s] orderNo: %s, transactionId: %s needs a refund (AUTO_REFUND is off)',
        outcome, report.orderNo, report.transactionId);
      return 'DISABLED';
    }
    const reason = outcome === 'PAID_BY_OTHER_TRANSACTION'
      ? 'automatic refund: a second payment of an order already paid'
      : 'automatic refund: a payment of a closed order';
    const created = await this.service.refund.refundForeignPayment(report, reason);
    this.logger.warn('[Settlement.settlePaid:%s] orderNo: %s, transactionId: %s: automatic refund %s',
      outcome, report.orderNo, report.transactionId, created ? 'created' : 'already exists');
    return created ? 'CREATED' : 'EXISTS';
  }
}
