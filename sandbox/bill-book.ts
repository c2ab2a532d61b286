import { SandboxStateFile } from './sandbox-state';
import type { BillLine, BillTextOptions } from './wechat/trade-bill';

/**
 * NORMAL: the day's bill as generated; CREATING: "still being created"
 * (v2 `Bill Creating`, v3 STATEMENT_CREATING); EMPTY: "no bill" whatever
 * happened (v2 `No Bill Exist`, v3 NO_STATEMENT_EXIST); WRONG_HASH: v3's
 * hash_value does not match the file (v2 has no hash and answers normally).
 */
export const BILL_MODES = [ 'NORMAL', 'CREATING', 'EMPTY', 'WRONG_HASH' ] as const;
export type BillMode = typeof BILL_MODES[number];

/** How a day's bill is served: its mode and the text's form. */
export interface BillDaySettings extends BillTextOptions {
  mode: BillMode;
}

/** A row WeChat has that the merchant's own calls never made, on a day. */
export interface ExtraBillRow {
  day: string;
  line: BillLine;
  /** for a refund row: the order's total, fen (the bill's refund rows do not print it) */
  orderTotal?: number;
}

/** Which row an amount override replaces the amount of. */
export type BillRowKey = { orderNo: string } | { refundNo: string };

interface BillBookSnapshot {
  extraRows: ExtraBillRow[];
  days: Array<[ string, BillDaySettings ]>;
  /** absent from files written before amount overrides existed */
  paymentAmounts?: Array<[ string, number ]>;
  refundAmounts?: Array<[ string, number ]>;
}

function isSnapshot(value: unknown): value is BillBookSnapshot {
  const snapshot = value as Partial<BillBookSnapshot> | null;
  return typeof snapshot === 'object' && snapshot !== null && Array.isArray(snapshot.extraRows) && Array.isArray(snapshot.days)
    && (snapshot.paymentAmounts === undefined || Array.isArray(snapshot.paymentAmounts))
    && (snapshot.refundAmounts === undefined || Array.isArray(snapshot.refundAmounts));
}

const NORMAL: BillDaySettings = { mode: 'NORMAL' };

/**
 * What the control calls add to the bills beyond the trades and refunds:
 * extra rows, amounts the bill reports instead of the real ones, and per-day
 * settings. Kept with the other stores in the state file (field `bills`), so
 * a developer's staged discrepancies survive a restart.
 */
export class BillBook {
  private extraRows: ExtraBillRow[] = [];
  private readonly days = new Map<string, BillDaySettings>();
  /** out_trade_no → the fen its payment row reports */
  private readonly paymentAmounts = new Map<string, number>();
  /** out_refund_no → the fen its refund row reports */
  private readonly refundAmounts = new Map<string, number>();

  constructor(private readonly state = new SandboxStateFile()) {
    state.include(() => ({ bills: this.snapshot() }));
    const saved = state.saved?.bills;
    if (saved === undefined) return;
    if (!isSnapshot(saved)) throw new Error(`the sandbox state file ${state.path} holds no bills of this sandbox; delete it to start afresh`);
    this.extraRows = saved.extraRows;
    for (const [ day, settings ] of saved.days) this.days.set(day, settings);
    for (const [ orderNo, amount ] of saved.paymentAmounts ?? []) this.paymentAmounts.set(orderNo, amount);
    for (const [ refundNo, amount ] of saved.refundAmounts ?? []) this.refundAmounts.set(refundNo, amount);
  }

  addRow(row: ExtraBillRow): void {
    this.extraRows.push(row);
    this.state.save();
  }

  rowsOf(day: string): BillLine[] {
    return this.extraRows.filter(row => row.day === day).map(row => row.line);
  }

  /** From now on the row `key` names reports `amount` fen, whatever was paid or refunded. */
  setAmount(key: BillRowKey, amount: number): void {
    if ('orderNo' in key) this.paymentAmounts.set(key.orderNo, amount);
    else this.refundAmounts.set(key.refundNo, amount);
    this.state.save();
  }

  /** The amount a payment row (by out_trade_no) or refund row (by out_refund_no) reports instead of its own. */
  amountOf(key: BillRowKey): number | undefined {
    return 'orderNo' in key ? this.paymentAmounts.get(key.orderNo) : this.refundAmounts.get(key.refundNo);
  }

  settingsOf(day: string): BillDaySettings {
    return this.days.get(day) ?? NORMAL;
  }

  setDay(day: string, settings: BillDaySettings): void {
    this.days.set(day, settings);
    this.state.save();
  }

  /** Forgets the extra rows, the amounts and the day settings: bills are generated from the trades and refunds alone. */
  clear(): void {
    this.extraRows = [];
    this.days.clear();
    this.paymentAmounts.clear();
    this.refundAmounts.clear();
    this.state.save();
  }

  private snapshot(): BillBookSnapshot {
    return {
      extraRows: this.extraRows,
      days: [ ...this.days ],
      paymentAmounts: [ ...this.paymentAmounts ],
      refundAmounts: [ ...this.refundAmounts ],
    };
  }
}
