import { InvalidRequestError } from './api-error';

/** One line of an order as the client asks for it; prices never come from the client. */
export interface RequestedItem {
  productId: number;
  quantity: number;
}

export interface OrderLimits {
  maxItems: number;
  maxQuantity: number;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/**
 * Validates `{ items: [{ productId, quantity }] }` and merges lines of the
 * same product, so stock is checked against the total quantity. Any other
 * field the client sends (an amount, a price) is ignored.
 */
export function parseOrderItems(body: unknown, limits: OrderLimits): RequestedItem[] {
  const items = (body as { items?: unknown } | null | undefined)?.items;
  if (!Array.isArray(items) || items.length === 0) {
    throw new InvalidRequestError('ITEMS_REQUIRED', 'items must be a non-empty array of { productId, quantity }');
  }
  if (items.length > limits.maxItems) {
    throw new InvalidRequestError('TOO_MANY_ITEMS', `an order has at most ${limits.maxItems} items`);
  }
  const quantities = new Map<number, number>();
  items.forEach((item: unknown, index) => {
    if (typeof item !== 'object' || item === null) {
      throw new InvalidRequestError('INVALID_ITEM', `items[${index}] must be an object`);
    }
    const { productId, quantity } = item as Record<string, unknown>;
    if (!isPositiveInteger(productId)) {
      throw new InvalidRequestError('INVALID_PRODUCT_ID', `items[${index}].productId must be a positive integer`);
    }
    if (!isPositiveInteger(quantity)) {
      throw new InvalidRequestError('INVALID_QUANTITY', `items[${index}].quantity must be a positive integer`);
    }
    const total = (quantities.get(productId) ?? 0) + quantity;
    if (total > limits.maxQuantity) {
      throw new InvalidRequestError('INVALID_QUANTITY', `quantity of product ${productId} must be at most ${limits.maxQuantity}`);
    }
    quantities.set(productId, total);
  });
  return [ ...quantities ].map(([ productId, quantity ]) => ({ productId, quantity }));
}

/** `?page=&pageSize=` with defaults 1 and 20, pageSize at most 100. */
export function parsePagination(query: Record<string, unknown>): { page: number; pageSize: number } {
  const read = (name: string, fallback: number, max: number) => {
    const raw = query[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < 1 || value > max) {
      throw new InvalidRequestError('INVALID_PAGINATION', `${name} must be an integer from 1 to ${max}`);
    }
    return value;
  };
  return { page: read('page', 1, 1_000_000), pageSize: read('pageSize', 20, 100) };
}
