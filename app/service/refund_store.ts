import { Service } from 'egg';
import { Op } from 'sequelize';
import { RefundStatus, statusesBefore } from '../lib/refund-status';
import { Sql, sql } from '../lib/sql';
import type { Refund } from '../model/refund';

export interface NewRefund {
  refundNo: string;
  orderNo: string;
  transactionId: string;
  ownTransaction: boolean;
  amount: number;
  transactionTotal: number;
  reason: string | null;
  createdBy: string;
  idempotencyKey: string | null;
  /** PROCESSING for a refund we apply for; a merchant-platform refund is imported in WeChat's state */
  status: RefundStatus;
  wechatRefundId?: string | null;
  acceptedAt?: Date | null;
  succeededAt?: Date | null;
}

const INSERT_REFUND = 'INSERT INTO refunds (refund_no, order_no, transaction_id, own_transaction, amount, transaction_total, '
  + 'status, reason, created_by, idempotency_key, wechat_refund_id, accepted_at, succeeded_at, claimed_until, created_at, updated_at) '
  + 'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
// A new refund is held this long by the request that submits it, so the schedule does not submit it at the same time.
const FIRST_SUBMIT_LEASE_MS = 60_000;

/** Whether an error is a unique-key violation (MySQL ER_DUP_ENTRY, SQLite UNIQUE constraint). */
export function isDuplicateKey(err: unknown): boolean {
  const { errno, code, parent, name } = err as { errno?: number; code?: string; parent?: { errno?: number; code?: string }; name?: string };
  return name === 'SequelizeUniqueConstraintError' || errno === 1062 || parent?.errno === 1062
    || code === 'ER_DUP_ENTRY' || /SQLITE_CONSTRAINT/.test(String(code ?? parent?.code ?? ''))
    || /UNIQUE constraint failed/.test(String((err as Error).message));
}

/**
 * The owner of `refunds`. Status moves are compare-and-sets that only go
 * forward (app/lib/refund-status.ts) and report whether they happened; the
 * caller applies what a move means for the order in the same transaction.
 */
export default class RefundStoreService extends Service {
  /** Inserts a refund in the caller's transaction; a duplicate refund_no or Idempotency-Key throws (isDuplicateKey). */
  async insert(tx: Sql, refund: NewRefund): Promise<void> {
    const now = new Date();
    await tx.write(INSERT_REFUND, [
      refund.refundNo, refund.orderNo, refund.transactionId, refund.ownTransaction, refund.amount, refund.transactionTotal,
      refund.status, refund.reason, refund.createdBy, refund.idempotencyKey, refund.wechatRefundId ?? null,
      refund.acceptedAt ?? null, refund.succeededAt ?? null, new Date(now.getTime() + FIRST_SUBMIT_LEASE_MS), now, now,
    ]);
  }

  findByRefundNo(refundNo: string): Promise<Refund | null> {
    return this.app.model.Refund.findOne({ where: { refundNo } });
  }

  findByIdempotencyKey(orderNo: string, idempotencyKey: string): Promise<Refund | null> {
    return this.app.model.Refund.findOne({ where: { orderNo, idempotencyKey } });
  }

  /** The refunds of an order, newest first. */
  listForOrder(orderNo: string): Promise<Refund[]> {
    return this.app.model.Refund.findAll({ where: { orderNo }, order: [[ 'id', 'DESC' ]] });
  }

  /** Refunds, newest first, optionally of one status. */
  async list(status: RefundStatus | undefined, page: number, pageSize: number): Promise<{ rows: Refund[]; count: number }> {
    return this.app.model.Refund.findAndCountAll({
      where: status ? { status } : {},
      order: [[ 'id', 'DESC' ]],
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
  }

  /**
   * Moves a refund to `to` if it is in a status that may precede it, in the
   * caller's transaction; false when it is not (a duplicate or a late report).
   */
  async move(tx: Sql, refundNo: string, to: RefundStatus, facts: { wechatCode?: string; succeededAt?: Date; wechatRefundId?: string }): Promise<boolean> {
    const before = statusesBefore(to);
    const now = new Date();
    const updated = await tx.write(
      'UPDATE refunds SET status = ?, wechat_code = COALESCE(?, wechat_code), succeeded_at = COALESCE(?, succeeded_at), '
      + 'wechat_refund_id = COALESCE(?, wechat_refund_id), accepted_at = COALESCE(accepted_at, ?), updated_at = ? '
      + `WHERE refund_no = ? AND status IN (${before.map(() => '?').join(', ')})`,
      [ to, facts.wechatCode ?? null, facts.succeededAt ?? null, facts.wechatRefundId ?? null,
        to === RefundStatus.FAILED ? null : now, now, refundNo, ...before ],
    );
    return updated === 1;
  }

  /** WeChat accepted the apply: its answer is known, the refund is no longer re-submitted. */
  async markAccepted(refundNo: string, wechatRefundId: string | undefined, at: Date): Promise<void> {
    await this.app.model.Refund.update(
      { acceptedAt: at, ...(wechatRefundId ? { wechatRefundId } : {}) },
      { where: { refundNo, acceptedAt: null } },
    );
  }

  /** Keeps WeChat's last retryable code and when the schedule should try again. */
  async noteUnknownOutcome(refundNo: string, code: string, retryAt: Date): Promise<void> {
    await this.app.model.Refund.update({ wechatCode: code.slice(0, 64), claimedUntil: retryAt }, { where: { refundNo } });
  }

  /** When the schedule should look at the refund again. */
  async noteNextLook(refundNo: string, at: Date): Promise<void> {
    await this.app.model.Refund.update({ claimedUntil: at }, { where: { refundNo }, silent: true });
  }

  /** Refunds that are not over and not held by a schedule run: to re-submit or to query. */
  findDue(now: Date, limit: number): Promise<Refund[]> {
    return this.app.model.Refund.findAll({
      where: {
        status: [ RefundStatus.PROCESSING, RefundStatus.ABNORMAL ],
        [Op.or]: [{ claimedUntil: null }, { claimedUntil: { [Op.lte]: now } }],
      },
      order: [[ 'claimedUntil', 'ASC' ], [ 'id', 'ASC' ]],
      limit,
    });
  }

  /** The refunds WeChat accepted in a span of time (accepted_at), whatever became of them: how many, and their sum in fen. */
  async acceptedTotals(start: Date, end: Date): Promise<{ count: number; total: number }> {
    const [ row ] = await sql.select<{ count: unknown; total: unknown }>(this.app.model,
      'SELECT COUNT(*) AS count, COALESCE(SUM(amount), 0) AS total FROM refunds WHERE accepted_at >= ? AND accepted_at < ?', [ start, end ]);
    // MySQL answers SUM as DECIMAL text.
    return { count: Number(row?.count ?? 0), total: Number(row?.total ?? 0) };
  }

  /** Takes a refund until `until` unless another run holds it; false when it did not. */
  async claim(refundNo: string, now: Date, until: Date): Promise<boolean> {
    const [ claimed ] = await this.app.model.Refund.update({ claimedUntil: until }, {
      where: {
        refundNo,
        status: [ RefundStatus.PROCESSING, RefundStatus.ABNORMAL ],
        [Op.or]: [{ claimedUntil: null }, { claimedUntil: { [Op.lte]: now } }],
      },
      silent: true,
    });
    return claimed === 1;
  }
}
