/** The staff API's replies, as the console reads them (DESIGN "Staff API"). */

export type Role = 'operator' | 'viewer';

export interface StaffSession {
  username: string;
  role: Role;
}

export interface LoginReply {
  token: string;
  expiresIn: number;
  staff: StaffSession;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface OrderItem {
  productId: number;
  name: string;
  unitPrice: number;
  quantity: number;
  amount: number;
}

export interface Order {
  orderNo: string;
  amount: number;
  status: string;
  description: string;
  paidAt: string | null;
  transactionId: string | null;
  refundedAmount: number;
  createdAt: string;
  items: OrderItem[];
  userId: number;
  openid: string | null;
}

export interface Refund {
  refundNo: string;
  orderNo: string;
  transactionId: string | null;
  amount: number;
  reason: string | null;
  status: string;
  createdBy: string;
  createdAt: string;
  succeededAt: string | null;
}

export interface PaymentEvent {
  id: number;
  source: string;
  apiVersion: string;
  verified: boolean;
  outcome: string;
  reason: string | null;
  transactionId: string | null;
  amount: number | null;
  createdAt: string;
}

export interface OrderDetail extends Order {
  /** what a refund may still take (fen), as the server reserves it; 0 unless PAID */
  refundableAmount: number;
  refunds: Refund[];
  events: PaymentEvent[];
}

export interface Discrepancy {
  kind: string;
  orderNo: string | null;
  refundNo: string | null;
  transactionId: string | null;
  billAmount: number | null;
  localAmount: number | null;
  resolved: boolean;
  detail: string | null;
}

export interface ReconciliationDay {
  date: string;
  status: string;
  runBy: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  bill: { count: number; settledTotal: number; refundTotal: number; feeTotal: string } | null;
  local: { count: number; settledTotal: number; refundTotal: number } | null;
  failure?: string | null;
  retryAt?: string | null;
  discrepancyCount?: number;
  unresolvedCount?: number;
  discrepancies?: Discrepancy[];
}

/** What became of a refund attempt, as the order screen tells it. */
export interface RefundOutcome {
  tone: 'success' | 'info' | 'error';
  text: string;
}
