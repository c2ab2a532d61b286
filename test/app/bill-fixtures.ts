import assert from 'node:assert/strict';
import { MockApplication } from 'egg-mock';
import { bearer } from '../support/client';
import { pendingOrder } from '../support/orders';
import { payerPays } from '../support/sandbox';

/** A reconciliation day's discrepancy as the staff API answers it. */
export interface DiscrepancyBody {
  kind: string;
  orderNo: string | null;
  refundNo: string | null;
  transactionId: string | null;
  billAmount: number | null;
  localAmount: number | null;
  resolved: boolean;
  detail: string | null;
}

/** Tables of the bill reconciliation, emptied before each of its tests (test/.setup.ts empties the others). */
export async function clearBillTables(app: MockApplication): Promise<void> {
  for (const table of [ 'bill_discrepancies', 'bill_rows', 'bill_reconciliations' ]) await app.model.query(`DELETE FROM ${table}`);
}

/** POST /admin/api/reconciliations/:date/run as it is answered. */
export function runDay(app: MockApplication, token: string, date: string) {
  return app.httpRequest().post(`/admin/api/reconciliations/${date}/run`).set('authorization', bearer(token));
}

/** GET /admin/api/reconciliations/:date as it is answered. */
export function getDay(app: MockApplication, token: string, date: string) {
  return app.httpRequest().get(`/admin/api/reconciliations/${date}`).set('authorization', bearer(token));
}

/**
 * The discrepancies of a day about one order. Today's bill also holds the
 * sandbox trades of earlier tests, whose orders are gone from our tables:
 * each test looks at its own orders only.
 */
export function about(day: { discrepancies: DiscrepancyBody[] }, orderNo: string): DiscrepancyBody[] {
  return day.discrepancies.filter(d => d.orderNo === orderNo);
}

/** An order paid at WeChat (the sandbox) whose notify never came: PENDING here, SUCCESS in the bill. */
export async function paidWithoutNotify(app: MockApplication) {
  const order = await pendingOrder(app, 'payer');
  const pay = await app.httpRequest().post(`/api/orders/${order.orderNo}/pay`).set('authorization', bearer(order.token))
    .expect(200);
  const paid = await payerPays(app, String(pay.body.package).replace('prepay_id=', ''), { deliverNotify: false });
  assert.equal(paid.state, 'SUCCESS');
  return { ...order, transactionId: paid.transactionId };
}

/** The summary line of a bill's text in fen (count, 应结订单总金额, 退款总金额) and its fee text. */
export function billSummary(text: string): { count: number; settledTotal: number; refundTotal: number; feeTotal: string } {
  const lines = text.trimEnd().split(/\r?\n/);
  const names = lines[lines.length - 2].split(',');
  const values = lines[lines.length - 1].split(',').map(value => value.replace(/^`/, ''));
  const value = (name: string) => values[names.indexOf(name)];
  // Exact: yuan text to fen by its digits, never through floating point.
  const fen = (yuan: string) => {
    const [ whole, fraction = '' ] = yuan.replace('-', '').split('.');
    const magnitude = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
    return yuan.startsWith('-') ? -magnitude : magnitude;
  };
  return {
    count: Number(value('总交易单数')),
    settledTotal: fen(value('应结订单总金额')),
    refundTotal: fen(value('退款总金额')),
    feeTotal: value('手续费总金额'),
  };
}
