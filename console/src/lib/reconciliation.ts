/**
 * What a reconciliation day's status means to the person reading it, and
 * the bill-versus-local comparison rows of its summary.
 */
export interface DayLike {
  date: string;
  status: string;
  failure?: string | null;
  retryAt?: string | null;
  bill: { count: number; settledTotal: number; refundTotal: number; feeTotal: string } | null;
  local: { count: number; settledTotal: number; refundTotal: number } | null;
}

export function statusExplanation(day: DayLike, formatTime: (iso: string | null | undefined) => string): string {
  switch (day.status) {
    case 'DONE': return 'The bill was downloaded and compared with our orders and refunds.';
    case 'EMPTY': return 'WeChat Pay has no bill for this day (no payment and no refund there); our side was still compared.';
    case 'WAITING': return `WeChat Pay is still creating this day's bill. It is asked for again${day.retryAt ? ` at ${formatTime(day.retryAt)} (Beijing time)` : ' later'}.`;
    case 'FAILED': return `Nothing was compared: ${day.failure ?? 'the bill could not be downloaded or believed'}.`;
    case 'RUNNING': return 'A reconciliation of this day is running now.';
    case 'PENDING': return 'This day has not been reconciled yet.';
    default: return '';
  }
}

export interface ComparisonRow {
  label: string;
  bill: number | null;
  local: number | null;
  /** bill − local, null unless both are known */
  difference: number | null;
  money: boolean;
}

export function comparisonRows(day: DayLike): ComparisonRow[] {
  const row = (label: string, key: 'count' | 'settledTotal' | 'refundTotal', money: boolean): ComparisonRow => {
    const bill = day.bill ? day.bill[key] : null;
    const local = day.local ? day.local[key] : null;
    return { label, bill, local, difference: bill !== null && local !== null ? bill - local : null, money };
  };
  return [
    row('Transactions (payments + refunds)', 'count', false),
    row('Settled total', 'settledTotal', true),
    row('Refund total', 'refundTotal', true),
  ];
}

/** The file name a day's discrepancies download under. */
export function discrepanciesFileName(date: string): string {
  return `discrepancies-${date}.csv`;
}
