import { DISCREPANCY_CSV_COLUMNS } from '../lib/bill-reconciliation';
import { OrderStatus } from '../lib/order-status';
import { IDEMPOTENCY_KEY_MAX, REASON_MAX } from '../lib/refund-input';
import { RefundStatus } from '../lib/refund-status';
import { PASSWORD_MAX_LENGTH, USERNAME_MAX_LENGTH } from '../lib/staff-account';
import { BODY_ERRORS, errors, json, mergeErrors, PAGINATION, WECHATPAY_ERRORS } from './responses';
import { ref } from './schemas';
import type { Parameter, PathItem } from './types';

/** The staff API behind the merchant console: orders, refunds, bill reconciliation. */

/** The header line of the discrepancies CSV (after the BOM), checked by the tests' conformance check. */
export const DISCREPANCY_CSV_HEADER = DISCREPANCY_CSV_COLUMNS.join(',');

const STAFF = [{ staffBearer: [] }];
const TOKEN_ERRORS = { 401: [ 'TOKEN_REQUIRED', 'TOKEN_INVALID' ] };
// routes that change something need the operator role
const OPERATOR_ERRORS = mergeErrors(TOKEN_ERRORS, { 403: [ 'FORBIDDEN' ] });

const ORDER_NO: Parameter = { name: 'orderNo', in: 'path', required: true, schema: { type: 'string' } };
const DATE: Parameter = {
  name: 'date', in: 'path', required: true, schema: { type: 'string', format: 'date' },
  description: 'a Beijing day, YYYY-MM-DD; anything else answers 400 DATE_INVALID',
};

export const staffPaths: Record<string, PathItem> = {
  '/admin/api/login': {
    post: {
      operationId: 'staffLogin',
      summary: 'Staff sign-in',
      description: 'An unknown username, a wrong password and a disabled account answer alike. After five failures for a username within 15 minutes every login for it answers 429 until the window passes.',
      tags: [ 'staff' ],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object', required: [ 'username', 'password' ],
              properties: {
                username: { type: 'string', minLength: 1, maxLength: USERNAME_MAX_LENGTH },
                password: { type: 'string', minLength: 1, maxLength: PASSWORD_MAX_LENGTH },
              },
            },
          },
        },
      },
      responses: {
        200: json('a staff token', ref('StaffLoginResult')),
        ...errors(mergeErrors(BODY_ERRORS, {
          400: [ 'USERNAME_REQUIRED', 'PASSWORD_REQUIRED' ],
          401: [ 'INVALID_CREDENTIALS' ],
          429: [ 'TOO_MANY_ATTEMPTS' ],
        })),
      },
    },
  },
  '/admin/api/orders': {
    get: {
      operationId: 'staffListOrders',
      summary: "Every user's orders, newest first",
      tags: [ 'staff' ],
      security: STAFF,
      parameters: [
        { name: 'status', in: 'query', schema: { type: 'string', enum: Object.values(OrderStatus) } },
        { name: 'orderNo', in: 'query', schema: ref('OrderNo'), description: 'exact order number' },
        { name: 'from', in: 'query', schema: { type: 'string' }, description: 'ISO date or time: createdAt at or after' },
        { name: 'to', in: 'query', schema: { type: 'string' }, description: 'ISO date (the whole day) or time: createdAt before' },
        ...PAGINATION,
      ],
      responses: {
        200: json('a page of orders', ref('StaffOrderPage')),
        ...errors(mergeErrors(TOKEN_ERRORS, { 400: [ 'INVALID_STATUS', 'INVALID_ORDER_NO', 'INVALID_DATE', 'INVALID_DATE_RANGE', 'INVALID_PAGINATION' ] })),
      },
    },
  },
  '/admin/api/orders/{orderNo}': {
    get: {
      operationId: 'staffGetOrder',
      summary: 'One order with its refunds and payment events',
      tags: [ 'staff' ],
      security: STAFF,
      parameters: [ ORDER_NO ],
      responses: {
        200: json('the order', ref('StaffOrderDetail')),
        ...errors(mergeErrors(TOKEN_ERRORS, { 404: [ 'ORDER_NOT_FOUND' ] })),
      },
    },
  },
  '/admin/api/orders/{orderNo}/refunds': {
    post: {
      operationId: 'createRefund',
      summary: 'Refund part or all of a PAID order (operator)',
      description: 'The refundable amount is reserved and the refund committed before WeChat Pay is called. The same Idempotency-Key with the same amount answers 200 with the same refund.',
      tags: [ 'staff' ],
      security: STAFF,
      parameters: [
        ORDER_NO,
        { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX } },
      ],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object', required: [ 'amount' ],
              properties: {
                amount: { type: 'integer', minimum: 1, description: 'fen, a JSON number (a string is refused)' },
                reason: { type: [ 'string', 'null' ], maxLength: REASON_MAX, description: 'shown to the payer' },
              },
            },
          },
        },
      },
      responses: {
        200: json('an Idempotency-Key replay: the refund it made', ref('Refund')),
        201: json('accepted by WeChat Pay: PROCESSING (or SUCCESS)', ref('Refund')),
        202: json("WeChat Pay's answer is unknown: PROCESSING, re-submitted with the same refundNo by the schedule", ref('Refund')),
        ...errors(mergeErrors(BODY_ERRORS, OPERATOR_ERRORS, {
          400: [ 'AMOUNT_INVALID', 'REASON_INVALID', 'REASON_TOO_LONG', 'IDEMPOTENCY_KEY_INVALID' ],
          404: [ 'ORDER_NOT_FOUND' ],
          409: [ 'ORDER_NOT_REFUNDABLE', 'REFUND_EXCEEDS_REFUNDABLE', 'IDEMPOTENCY_KEY_REUSED' ],
          502: [ 'REFUND_REFUSED' ],
        })),
      },
    },
  },
  '/admin/api/refunds': {
    get: {
      operationId: 'listRefunds',
      summary: 'Refunds, newest first',
      tags: [ 'staff' ],
      security: STAFF,
      parameters: [{ name: 'status', in: 'query', schema: { type: 'string', enum: Object.values(RefundStatus) } }, ...PAGINATION ],
      responses: {
        200: json('a page of refunds', ref('RefundPage')),
        ...errors(mergeErrors(TOKEN_ERRORS, { 400: [ 'INVALID_STATUS', 'INVALID_PAGINATION' ] })),
      },
    },
  },
  '/admin/api/refunds/{refundNo}': {
    get: {
      operationId: 'getRefund',
      summary: 'One refund',
      description: '`?refresh=1` asks WeChat Pay (refund query) and applies the answer.',
      tags: [ 'staff' ],
      security: STAFF,
      parameters: [
        { name: 'refundNo', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'refresh', in: 'query', schema: { type: 'string', enum: [ '1' ] } },
      ],
      responses: {
        200: json('the refund', ref('Refund')),
        ...errors(mergeErrors(TOKEN_ERRORS, { 404: [ 'REFUND_NOT_FOUND' ] }, WECHATPAY_ERRORS)),
      },
    },
  },
  '/admin/api/reconciliations': {
    get: {
      operationId: 'listReconciliations',
      summary: 'Daily bill reconciliations, newest date first',
      tags: [ 'staff' ],
      security: STAFF,
      parameters: PAGINATION,
      responses: {
        200: json('a page of days', ref('ReconciliationPage')),
        ...errors(mergeErrors(TOKEN_ERRORS, { 400: [ 'INVALID_PAGINATION' ] })),
      },
    },
  },
  '/admin/api/reconciliations/{date}': {
    get: {
      operationId: 'getReconciliation',
      summary: 'One day of bill reconciliation',
      tags: [ 'staff' ],
      security: STAFF,
      parameters: [ DATE ],
      responses: {
        200: json('the day', ref('ReconciliationDay')),
        ...errors(mergeErrors(TOKEN_ERRORS, { 400: [ 'DATE_INVALID' ], 404: [ 'RECONCILIATION_NOT_FOUND' ] })),
      },
    },
  },
  '/admin/api/reconciliations/{date}/discrepancies.csv': {
    get: {
      operationId: 'getReconciliationCsv',
      summary: "The day's discrepancies as CSV",
      description: 'UTF-8 with a BOM, CRLF line ends, one line per discrepancy; text cells a spreadsheet would run as a formula are neutralised.',
      tags: [ 'staff' ],
      security: STAFF,
      parameters: [ DATE ],
      responses: {
        200: {
          description: 'the CSV, as an attachment',
          headers: {
            'X-Request-Id': { $ref: '#/components/headers/XRequestId' },
            'Content-Disposition': { required: true, schema: { type: 'string' }, description: 'attachment; filename="discrepancies-YYYY-MM-DD.csv"' },
          },
          content: {
            'text/csv': {
              schema: { type: 'string', contentMediaType: 'text/csv' },
              example: `\ufeff${DISCREPANCY_CSV_HEADER}\r\n`,
            },
          },
        },
        ...errors(mergeErrors(TOKEN_ERRORS, { 400: [ 'DATE_INVALID' ], 404: [ 'RECONCILIATION_NOT_FOUND' ] })),
      },
    },
  },
  '/admin/api/reconciliations/{date}/run': {
    post: {
      operationId: 'runReconciliation',
      summary: "Download the day's bill and reconcile it now (operator)",
      description: 'Answers the day: WAITING while WeChat Pay is still creating the bill, FAILED when it could not be had or believed (nothing compared).',
      tags: [ 'staff' ],
      security: STAFF,
      parameters: [ DATE ],
      responses: {
        200: json('the day after the run', ref('ReconciliationDay')),
        ...errors(mergeErrors(BODY_ERRORS, OPERATOR_ERRORS, { 400: [ 'DATE_INVALID' ], 409: [ 'RECONCILIATION_RUNNING' ] })),
      },
    },
  },
};
