import { Controller } from 'egg';
import { parseBillDateParam } from '../../lib/bill-day';
import { parsePagination } from '../../lib/order-input';

/** Daily bill reconciliations, for staff: anyone reads them, operators run a day again. */
export default class AdminReconciliationController extends Controller {
  // GET /admin/api/reconciliations?page=&pageSize=
  async index() {
    const { page, pageSize } = parsePagination(this.ctx.query);
    this.ctx.body = await this.service.billReconciliation.list(page, pageSize);
  }

  // GET /admin/api/reconciliations/:date
  async show() {
    this.ctx.body = await this.service.billReconciliation.get(parseBillDateParam(this.ctx.params.date));
  }

  // GET /admin/api/reconciliations/:date/discrepancies.csv
  async discrepanciesCsv() {
    const date = parseBillDateParam(this.ctx.params.date);
    const csv = await this.service.billReconciliation.discrepanciesCsv(date);
    this.ctx.set('content-disposition', `attachment; filename="discrepancies-${date}.csv"`);
    this.ctx.type = 'text/csv; charset=utf-8';
    this.ctx.body = csv;
  }

  // POST /admin/api/reconciliations/:date/run (operator)
  async run() {
    const date = parseBillDateParam(this.ctx.params.date);
    this.ctx.body = await this.service.billReconciliation.runNow(date, this.ctx.state.staff.username);
  }
}
