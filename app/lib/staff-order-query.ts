import { InvalidRequestError } from './api-error';
import { isOrderNo } from './order-no';
import { parsePagination } from './order-input';
import { OrderStatus } from './order-status';
import { parseTimeRange } from './time-range';

/** Which orders a member of staff asks to see (every user's). */
export interface StaffOrderFilter {
  status?: OrderStatus;
  /** exact order number */
  orderNo?: string;
  /** createdAt ≥ createdFrom */
  createdFrom?: Date;
  /** createdAt < createdBefore */
  createdBefore?: Date;
}

export interface StaffOrderQuery {
  filter: StaffOrderFilter;
  page: number;
  pageSize: number;
}

const STATUSES = Object.values(OrderStatus) as string[];

/** `?status=&orderNo=&from=&to=&page=&pageSize=`; empty parameters are absent ones; 400 for anything malformed. */
export function parseStaffOrderQuery(query: Record<string, unknown>): StaffOrderQuery {
  const filter: StaffOrderFilter = {};
  const { status, orderNo, from, to } = query;
  if (status !== undefined && status !== '') {
    if (typeof status !== 'string' || !STATUSES.includes(status)) {
      throw new InvalidRequestError('INVALID_STATUS', `status must be one of ${STATUSES.join(', ')}`);
    }
    filter.status = status as OrderStatus;
  }
  if (orderNo !== undefined && orderNo !== '') {
    if (!isOrderNo(orderNo)) {
      throw new InvalidRequestError('INVALID_ORDER_NO', 'orderNo must be at most 32 characters of [0-9A-Za-z_-|*]');
    }
    filter.orderNo = orderNo;
  }
  const range = parseTimeRange(from, to);
  if (range.from) filter.createdFrom = range.from;
  if (range.before) filter.createdBefore = range.before;
  return { filter, ...parsePagination(query) };
}
