import { BODY_ERRORS, errors, json, mergeErrors, PAGINATION, WECHATPAY_ERRORS } from './responses';
import { ref } from './schemas';
import type { Parameter, PathItem } from './types';

/** The mini-program's API: login, catalogue, orders and their payment. */

const CUSTOMER = [{ customerBearer: [] }];
const TOKEN_ERRORS = { 401: [ 'TOKEN_REQUIRED', 'TOKEN_INVALID' ] };
const ORDER_NO: Parameter = {
  name: 'orderNo', in: 'path', required: true, schema: { type: 'string' },
  description: 'an order of the caller; anything else (another user\'s, malformed) answers 404',
};

export const customerPaths: Record<string, PathItem> = {
  '/api/login': {
    post: {
      operationId: 'login',
      summary: 'Log in with a wx.login code',
      description: 'code2Session, then the user is kept by openid; the session_key never leaves the server.',
      tags: [ 'customer' ],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { type: 'object', properties: { code: { type: 'string', minLength: 1, maxLength: 128 } }, required: [ 'code' ] } } },
      },
      responses: {
        200: json('a customer token', ref('LoginResult')),
        ...errors(mergeErrors(BODY_ERRORS, {
          400: [ 'CODE_REQUIRED' ],
          401: [ 'WECHAT_CODE_INVALID', 'WECHAT_CODE_USED' ],
          502: [ 'WECHAT_ERROR', 'WECHAT_BAD_RESPONSE' ],
          503: [ 'WECHAT_TIMEOUT', 'WECHAT_UNREACHABLE', 'WECHAT_UNAVAILABLE', 'WECHAT_BUSY' ],
        })),
      },
    },
  },
  '/api/products': {
    get: {
      operationId: 'listProducts',
      summary: 'The catalogue',
      tags: [ 'customer' ],
      responses: {
        200: json('every product, prices in fen', { type: 'array', items: ref('Product') }),
        ...errors({}),
      },
    },
  },
  '/api/orders': {
    post: {
      operationId: 'createOrder',
      summary: 'Create an order',
      description: 'Prices come from the catalogue, never from the client; lines of one product are merged; stock is reserved.',
      tags: [ 'customer' ],
      security: CUSTOMER,
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: [ 'items' ],
              properties: {
                items: {
                  type: 'array', minItems: 1,
                  items: {
                    type: 'object', required: [ 'productId', 'quantity' ],
                    properties: { productId: { type: 'integer', minimum: 1 }, quantity: { type: 'integer', minimum: 1 } },
                  },
                },
              },
            },
          },
        },
      },
      responses: {
        201: json('the order, PENDING', ref('Order')),
        ...errors(mergeErrors(BODY_ERRORS, TOKEN_ERRORS, {
          400: [ 'ITEMS_REQUIRED', 'TOO_MANY_ITEMS', 'INVALID_ITEM', 'INVALID_PRODUCT_ID', 'INVALID_QUANTITY' ],
          404: [ 'PRODUCT_NOT_FOUND' ],
          409: [ 'OUT_OF_STOCK', 'AMOUNT_OUT_OF_RANGE' ],
        })),
      },
    },
    get: {
      operationId: 'listOrders',
      summary: "The caller's orders, newest first",
      tags: [ 'customer' ],
      security: CUSTOMER,
      parameters: PAGINATION,
      responses: {
        200: json('a page of orders', ref('OrderPage')),
        ...errors(mergeErrors(TOKEN_ERRORS, { 400: [ 'INVALID_PAGINATION' ] })),
      },
    },
  },
  '/api/orders/{orderNo}': {
    get: {
      operationId: 'getOrder',
      summary: 'One order of the caller',
      description: '`?refresh=1` on a PENDING order asks WeChat Pay (order query) and applies the answer.',
      tags: [ 'customer' ],
      security: CUSTOMER,
      parameters: [ ORDER_NO, { name: 'refresh', in: 'query', schema: { type: 'string', enum: [ '1' ] }, description: '1: ask WeChat Pay first' }],
      responses: {
        200: json('the order', ref('Order')),
        ...errors(mergeErrors(TOKEN_ERRORS, { 404: [ 'ORDER_NOT_FOUND' ] }, WECHATPAY_ERRORS)),
      },
    },
  },
  '/api/orders/{orderNo}/pay': {
    post: {
      operationId: 'payOrder',
      summary: 'Prepay an order: the arguments of wx.requestPayment',
      description: 'Unified order (v2) or JSAPI prepay (v3); a prepay_id still valid (2 h) is reused, so paying twice answers the same package.',
      tags: [ 'customer' ],
      security: CUSTOMER,
      parameters: [ ORDER_NO ],
      responses: {
        200: json('ready for wx.requestPayment', ref('PaymentParams')),
        ...errors(mergeErrors(BODY_ERRORS, TOKEN_ERRORS, { 404: [ 'ORDER_NOT_FOUND' ], 409: [ 'ORDER_NOT_PENDING', 'ORDER_EXPIRED' ] }, WECHATPAY_ERRORS)),
      },
    },
  },
  '/api/orders/{orderNo}/close': {
    post: {
      operationId: 'closeOrder',
      summary: 'Close an unpaid order',
      description: 'Closes at WeChat Pay (when it was ever prepaid) and here; a PAID order answers 409; closing a CLOSED order answers it as it is.',
      tags: [ 'customer' ],
      security: CUSTOMER,
      parameters: [ ORDER_NO ],
      responses: {
        200: json('the order, CLOSED', ref('Order')),
        ...errors(mergeErrors(BODY_ERRORS, TOKEN_ERRORS, { 404: [ 'ORDER_NOT_FOUND' ], 409: [ 'ORDER_NOT_CLOSABLE', 'ORDER_BUSY' ] }, WECHATPAY_ERRORS)),
      },
    },
  },
};
