import { BillReconciliationStatus, DiscrepancyKind } from '../lib/bill-reconciliation';
import { ORDER_NO_PATTERN } from '../lib/order-no';
import { OrderStatus } from '../lib/order-status';
import { REFUND_NO_PATTERN } from '../lib/refund-no';
import { RefundStatus } from '../lib/refund-status';
import { STAFF_ROLES } from '../lib/staff-account';
import type { Schema } from './types';

/**
 * The JSON shapes the API answers with (components.schemas). The status and
 * kind lists come from the enums the code itself uses, so they cannot drift;
 * every object is closed (additionalProperties: false) so that a field added
 * to a view without documentation fails the conformance check of the tests.
 */

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

/** A closed object whose listed properties are all present. */
function object(properties: Record<string, Schema>, description?: string): Schema {
  return { type: 'object', ...(description ? { description } : {}), properties, required: Object.keys(properties), additionalProperties: false };
}

const nullable = (schema: Schema): Schema => ({ ...schema, type: [ schema.type as string, 'null' ] });
const fen = (description: string): Schema => ({ type: 'integer', minimum: 0, description: `${description} (fen)` });
const instant = (description: string): Schema => ({ type: 'string', format: 'date-time', description });
const page = (item: string, description: string): Schema => object({
  items: { type: 'array', items: ref(item) },
  total: { type: 'integer', minimum: 0, description: 'items matching, over every page' },
  page: { type: 'integer', minimum: 1 },
  pageSize: { type: 'integer', minimum: 1, maximum: 100 },
}, description);

const orderView: Record<string, Schema> = {
  orderNo: ref('OrderNo'),
  amount: fen('the order total, priced from the catalogue'),
  status: ref('OrderStatus'),
  description: { type: 'string', maxLength: 127, description: 'what WeChat Pay shows the payer' },
  paidAt: nullable(instant('when WeChat Pay settled the payment; null until PAID')),
  transactionId: { type: [ 'string', 'null' ], description: "WeChat Pay's transaction_id; null until PAID" },
  refundedAmount: fen("refunded successfully from the order's own payment"),
  createdAt: instant('when the order was created'),
  items: { type: 'array', items: ref('OrderItem'), minItems: 1 },
};

const staffOrderView: Record<string, Schema> = {
  ...orderView,
  userId: { type: 'integer', minimum: 1 },
  openid: { type: [ 'string', 'null' ], description: "the customer's openid for this mini-program" },
};

const discrepancy = object({
  kind: ref('DiscrepancyKind'),
  orderNo: { type: [ 'string', 'null' ] },
  refundNo: { type: [ 'string', 'null' ] },
  transactionId: { type: [ 'string', 'null' ] },
  billAmount: { type: [ 'integer', 'null' ], description: 'fen, as the bill has it' },
  localAmount: { type: [ 'integer', 'null' ], description: 'fen, as our books have it' },
  resolved: { type: 'boolean', description: 'settled automatically (a verified query, an automatic refund)' },
  detail: { type: [ 'string', 'null' ] },
}, 'one difference between the bill and our books');

const dayView: Record<string, Schema> = {
  date: { type: 'string', format: 'date', description: 'the Beijing day, YYYY-MM-DD' },
  status: ref('ReconciliationStatus'),
  runBy: { type: [ 'string', 'null' ], description: 'the staff username of the last run, or `schedule`' },
  startedAt: nullable(instant('start of the last run')),
  finishedAt: nullable(instant('end of the last run')),
  bill: {
    ...object({
      count: { type: 'integer', minimum: 0, description: '总交易单数: payments plus refunds' },
      settledTotal: { type: 'integer', description: 'fen' },
      refundTotal: { type: 'integer', description: 'fen' },
      feeTotal: { type: 'string', pattern: '^-?\\d+\\.\\d{5}$', description: 'fees in yuan, an exact decimal with 5 places', example: '0.06000' },
    }),
    type: [ 'object', 'null' ],
    description: "the bill's summary; null until a run read a bill (zeros when WeChat has none)",
  },
  local: {
    ...object({
      count: { type: 'integer', minimum: 0, description: "that day's payments plus refunds" },
      settledTotal: { type: 'integer', description: 'fen' },
      refundTotal: { type: 'integer', description: 'fen' },
    }),
    type: [ 'object', 'null' ],
    description: 'our totals for the day; null until a run compared it',
  },
  failure: { type: [ 'string', 'null' ], description: 'why a FAILED day failed' },
  retryAt: nullable(instant('when a WAITING (or retryable FAILED) day is asked for again')),
  discrepancyCount: { type: 'integer', minimum: 0 },
  unresolvedCount: { type: 'integer', minimum: 0 },
};

export const schemas: Record<string, Schema> = {
  Error: object({
    code: { type: 'string', pattern: '^[A-Z0-9_]+$', description: 'stable, UPPER_SNAKE' },
    message: { type: 'string', description: 'for people; may change' },
  }, 'every error the API answers'),
  OrderNo: { type: 'string', pattern: ORDER_NO_PATTERN.source, description: "our order number, WeChat Pay's out_trade_no" },
  RefundNo: { type: 'string', pattern: REFUND_NO_PATTERN.source, description: "our refund number, WeChat Pay's out_refund_no" },
  OrderStatus: { type: 'string', enum: Object.values(OrderStatus) },
  RefundStatus: {
    type: 'string', enum: Object.values(RefundStatus),
    description: 'PROCESSING → SUCCESS | CLOSED | ABNORMAL (not final); FAILED: refused by WeChat Pay at once',
  },
  ReconciliationStatus: { type: 'string', enum: Object.values(BillReconciliationStatus) },
  DiscrepancyKind: { type: 'string', enum: Object.values(DiscrepancyKind) },
  StaffRole: { type: 'string', enum: [ ...STAFF_ROLES ], description: 'operator: may refund and re-run reconciliation; viewer: read only' },
  Product: object({
    id: { type: 'integer', minimum: 1 },
    name: { type: 'string' },
    price: fen('unit price'),
    stock: { type: 'integer', minimum: 0 },
  }),
  LoginResult: object({
    token: { type: 'string', description: 'a customer JWT (aud customer): send it as Authorization: Bearer' },
    expiresIn: { type: 'integer', minimum: 1, description: 'seconds' },
    user: object({ id: { type: 'integer', minimum: 1 } }),
  }),
  OrderItem: object({
    productId: { type: 'integer', minimum: 1 },
    name: { type: 'string' },
    unitPrice: fen('price when ordered'),
    quantity: { type: 'integer', minimum: 1 },
    amount: fen('unitPrice × quantity'),
  }),
  Order: object(orderView, 'an order as its customer sees it'),
  OrderPage: page('Order', "the caller's orders, newest first"),
  PaymentParams: object({
    appId: { type: 'string' },
    timeStamp: { type: 'string', pattern: '^\\d+$', description: 'seconds, as text' },
    nonceStr: { type: 'string' },
    package: { type: 'string', pattern: '^prepay_id=', description: '`prepay_id=…`' },
    signType: { type: 'string', enum: [ 'MD5', 'HMAC-SHA256', 'RSA' ], description: 'v2: the configured sign type; v3: RSA' },
    paySign: { type: 'string' },
  }, 'the arguments of wx.requestPayment'),
  StaffLoginResult: object({
    token: { type: 'string', description: 'a staff JWT (aud staff, role claim)' },
    expiresIn: { type: 'integer', minimum: 1, description: 'seconds (STAFF_TOKEN_TTL)' },
    staff: object({ username: { type: 'string' }, role: ref('StaffRole') }),
  }),
  StaffOrder: object(staffOrderView, 'an order as staff see it'),
  StaffOrderPage: page('StaffOrder', "every user's orders, newest first"),
  PaymentEvent: object({
    id: { type: 'integer' },
    source: { type: 'string', enum: [ 'notify', 'query', 'refund_notify', 'refund_query' ] },
    apiVersion: { type: 'string', enum: [ 'v2', 'v3' ] },
    verified: { type: 'boolean' },
    outcome: { type: 'string' },
    reason: { type: [ 'string', 'null' ] },
    transactionId: { type: [ 'string', 'null' ] },
    amount: { type: [ 'integer', 'null' ], description: 'fen' },
    createdAt: instant('when it was recorded'),
  }, 'a payment_events row, without its raw body'),
  StaffOrderDetail: object({
    ...staffOrderView,
    refundableAmount: fen('what a refund may still take: the amount minus its refunds that are PROCESSING, SUCCESS or ABNORMAL; 0 unless PAID'),
    refunds: { type: 'array', items: ref('Refund'), description: 'newest first' },
    events: { type: 'array', items: ref('PaymentEvent'), description: 'newest first' },
  }, 'one order with its refunds and payment events'),
  Refund: object({
    refundNo: ref('RefundNo'),
    orderNo: ref('OrderNo'),
    transactionId: { type: 'string' },
    amount: { type: 'integer', minimum: 1, description: 'fen' },
    reason: { type: [ 'string', 'null' ], maxLength: 80 },
    status: ref('RefundStatus'),
    createdBy: { type: 'string', description: 'a staff username, `system` (automatic refunds) or `merchant-platform` (imported)' },
    createdAt: instant('when it was created'),
    succeededAt: nullable(instant('when WeChat Pay reported it SUCCESS')),
  }),
  RefundPage: page('Refund', 'refunds, newest first'),
  Discrepancy: discrepancy,
  ReconciliationDaySummary: object(dayView, 'a day as listed, without its discrepancies'),
  ReconciliationDay: object({
    ...dayView,
    discrepancies: { type: 'array', items: ref('Discrepancy'), description: "the day's first discrepancies (discrepancyCount counts them all; the CSV lists every one)" },
  }, 'one day of bill reconciliation'),
  ReconciliationPage: page('ReconciliationDaySummary', 'days, newest date first'),
  Health: object({ status: { type: 'string', const: 'ok' } }),
};
