import type { MockApplication } from 'egg-mock';
import { beijingDay } from '../../sandbox/bill-date';

/**
 * WeChat's side of the daily trade bills, driven through the sandbox's
 * control calls: on the app's own mount (a MockApplication, like
 * payerPays) or on a sandbox of its own (its origin, `http://127.0.0.1:port`).
 * Each throws, quoting the sandbox, unless the call does what it says.
 */

/** The app whose middleware mounts the sandbox, or the origin of a sandbox server. */
export type SandboxTarget = MockApplication | string;

/** A row WeChat's bill has that the merchant's own calls never made. */
export interface BillRowInput {
  /** the Beijing day whose bill holds it, `YYYY-MM-DD` */
  date: string;
  kind: 'PAYMENT' | 'REFUND';
  orderNo: string;
  /** fen: 应结订单金额 of a payment, 退款金额 of a refund */
  amount: number;
  /** default: a new one for a payment; the known order's for a refund (else a new one) */
  transactionId?: string;
  /** refund rows only; default: a number like the merchant platform's */
  refundNo?: string;
  /** refund rows only; default: a new 29-digit refund_id */
  refundId?: string;
  /** fen, default `amount`: a payment's 订单金额 (代金券金额 = total - amount); kept, not printed, on a refund row */
  total?: number;
}

/** The row as staged, with the ids WeChat chose. */
export interface BillRow {
  date: string;
  kind: 'PAYMENT' | 'REFUND';
  orderNo: string;
  transactionId: string;
  refundNo?: string;
  refundId?: string;
  amount: number;
}

/** NORMAL: as generated; CREATING: "being created"; EMPTY: "no bill"; WRONG_HASH: v3's hash_value does not match. */
export type BillDayMode = 'NORMAL' | 'CREATING' | 'EMPTY' | 'WRONG_HASH';

interface ControlAnswer {
  status: number;
  text: string;
}

async function call(target: SandboxTarget, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<ControlAnswer> {
  const url = `/sandbox/control${path}`;
  if (typeof target === 'string') {
    const response = await fetch(`${target}${url}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // Decoded by hand: Response.text() drops a leading BOM, which a day's bill may be set to carry.
    return { status: response.status, text: Buffer.from(await response.arrayBuffer()).toString('utf8') };
  }
  const agent = target.httpRequest();
  const request = method === 'GET' ? agent.get(url) : method === 'POST' ? agent.post(url) : method === 'PUT' ? agent.put(url) : agent.delete(url);
  // A text/plain reply lands in res.text whatever supertest makes of it.
  const res = body === undefined ? await request : await request.send(body as object);
  return { status: res.status, text: res.text ?? '' };
}

function expect(answer: ControlAnswer, status: number, what: string): void {
  if (answer.status !== status) throw new Error(`sandbox ${what} answered ${answer.status}: ${answer.text}`);
}

/** Adds a row to a day's bill: a payment or refund WeChat has that the merchant never made (or never heard of). */
export async function addBillRow(target: SandboxTarget, row: BillRowInput): Promise<BillRow> {
  const answer = await call(target, 'POST', '/bills/rows', row);
  expect(answer, 201, 'POST /bills/rows');
  return (JSON.parse(answer.text) as { row: BillRow }).row;
}

/**
 * The bill reports `amount` fen for the payment row of an order
 * (`{ orderNo }`) or for a refund's row (`{ refundNo }`), whatever was paid
 * or refunded; the summary follows.
 */
export async function setBillAmount(target: SandboxTarget, row: { orderNo: string } | { refundNo: string }, amount: number): Promise<void> {
  expect(await call(target, 'POST', '/bills/amounts', { ...row, amount }), 200, 'POST /bills/amounts');
}

/** How a day's bill is answered from now on (NORMAL by default). */
export async function setBillDay(target: SandboxTarget, date: string, mode: BillDayMode): Promise<void> {
  expect(await call(target, 'PUT', `/bills/days/${date}`, { mode }), 200, `PUT /bills/days/${date}`);
}

/**
 * The text the day's bill is served with, exactly; undefined when WeChat has
 * no bill for the day (no payment and no refund, or mode EMPTY). Throws
 * while it is "being created" (mode CREATING).
 */
export async function billText(target: SandboxTarget, date: string): Promise<string | undefined> {
  const answer = await call(target, 'GET', `/bills/${date}`);
  if (answer.status === 404 && answer.text.includes('"NO_BILL"')) return undefined;
  expect(answer, 200, `GET /bills/${date}`);
  return answer.text;
}

/** Forgets the staged rows, amounts and day modes: bills come from the trades and refunds alone. */
export async function resetBills(target: SandboxTarget): Promise<void> {
  expect(await call(target, 'DELETE', '/bills'), 204, 'DELETE /bills');
}

/** The Beijing day (`YYYY-MM-DD`) of an instant, as WeChat dates bills: a payment made now is in today's bill. */
export function billDate(at: Date | number = Date.now()): string {
  return beijingDay(typeof at === 'number' ? at : at.getTime());
}
