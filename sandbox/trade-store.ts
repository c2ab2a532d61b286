import { newPrepayId, newTransactionId } from './ids';
import { SandboxStateFile } from './sandbox-state';
import { beijingCompact } from './wechat/time';
import type { V2SignType } from './wechat/v2-sign';

/** WeChat's trade_state values the simulator reaches (REFUND and REVOKED are not simulated). */
export type TradeState = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'PAYERROR' | 'USERPAYING';

/** The API that placed the order: the payer notifies in that API's format. */
export type TradeOrigin = { api: 'v2'; signType: V2SignType } | { api: 'v3' };

export type TradeApi = TradeOrigin['api'];

/** One trade as WeChat Pay keeps it, whichever API version placed it. */
export interface Trade {
  appid: string;
  mchid: string;
  outTradeNo: string;
  /** fen */
  totalFee: number;
  /** v2 `body`, v3 `description` */
  description: string;
  attach?: string;
  /** the payer; JSAPI orders name it, other trade types learn it when paid */
  openid?: string;
  notifyUrl: string;
  tradeType: string;
  origin: TradeOrigin;
  /** the ordering parameters that must match when the same out_trade_no is ordered again */
  fingerprint: string;
  prepayId: string;
  /** ms since the epoch */
  prepayCreatedAt: number;
  state: TradeState;
  /** set by a payment attempt, successful or not */
  transactionId?: string;
  /** `yyyyMMddHHmmss`, Asia/Shanghai */
  timeEnd?: string;
  bankType?: string;
}

/** What an API simulator supplies to open a trade. */
export type NewTrade = Omit<Trade, 'prepayId' | 'prepayCreatedAt' | 'state' | 'transactionId' | 'timeEnd' | 'bankType'>;

/** Everything the store needs to pick up where it stopped: trades and the ids that find them. */
export interface TradeSnapshot {
  version: typeof SNAPSHOT_VERSION;
  trades: Trade[];
  /** every prepay_id ever issued, expired ones included, with its out_trade_no */
  prepayIds: Array<[ string, string ]>;
  transactionIds: Array<[ string, string ]>;
}

const SNAPSHOT_VERSION = 1;

function isTradeSnapshot(value: unknown): value is TradeSnapshot {
  const snapshot = value as Partial<TradeSnapshot> | null;
  return typeof snapshot === 'object' && snapshot !== null && snapshot.version === SNAPSHOT_VERSION
    && Array.isArray(snapshot.trades) && Array.isArray(snapshot.prepayIds) && Array.isArray(snapshot.transactionIds);
}

/** The outcome a payer can give a trade. */
export type PaymentOutcome = 'SUCCESS' | 'PAYERROR';

/** WeChat keeps a prepay_id valid for two hours. */
export const PREPAY_LIFETIME_MS = 2 * 60 * 60 * 1000;

const PAYABLE_STATES: readonly TradeState[] = [ 'NOTPAY', 'USERPAYING', 'PAYERROR' ];

/** Whether a payer can still pay the trade: a failed attempt may be tried again, as in the WeChat app. */
export function isPayable(trade: Trade): boolean {
  return PAYABLE_STATES.includes(trade.state);
}

/**
 * Trades keyed by out_trade_no, with lookups by prepay_id and
 * transaction_id. Transitions go through here so the indexes stay right and,
 * given a state file, every change is saved.
 */
export class TradeStore {
  private readonly trades = new Map<string, Trade>();
  private readonly outTradeNoByPrepayId = new Map<string, string>();
  private readonly outTradeNoByTransactionId = new Map<string, string>();

  /**
   * `clock` is the simulated WeChat's time in ms; tests replace it to age prepay_ids.
   * `state`, when it has a path, is where the trades were saved and are saved after every change.
   */
  constructor(readonly clock: () => number = Date.now, private readonly state = new SandboxStateFile()) {
    state.include(() => ({ ...this.snapshot() }));
    const { saved } = state;
    if (saved === undefined) return;
    if (!isTradeSnapshot(saved)) {
      throw new Error(`the sandbox state file ${state.path} holds no trades of this sandbox (version ${SNAPSHOT_VERSION}); delete it to start afresh`);
    }
    this.restore(saved);
  }

  find(outTradeNo: string): Trade | undefined {
    return this.trades.get(outTradeNo);
  }

  /** Also finds a trade by one of its expired, replaced prepay_ids (check `trade.prepayId`). */
  findByPrepayId(prepayId: string): Trade | undefined {
    const outTradeNo = this.outTradeNoByPrepayId.get(prepayId);
    return outTradeNo === undefined ? undefined : this.trades.get(outTradeNo);
  }

  /** Only the trade's latest payment attempt is found by its transaction_id. */
  findByTransactionId(transactionId: string): Trade | undefined {
    const outTradeNo = this.outTradeNoByTransactionId.get(transactionId);
    const trade = outTradeNo === undefined ? undefined : this.trades.get(outTradeNo);
    return trade?.transactionId === transactionId ? trade : undefined;
  }

  /** Every trade, in the order they were placed. */
  all(): Trade[] {
    return [ ...this.trades.values() ];
  }

  create(order: NewTrade): Trade {
    if (this.trades.has(order.outTradeNo)) throw new Error(`trade ${order.outTradeNo} already exists`);
    const trade: Trade = { ...order, prepayId: '', prepayCreatedAt: 0, state: 'NOTPAY' };
    this.trades.set(trade.outTradeNo, trade);
    this.issuePrepay(trade);
    this.changed();
    return trade;
  }

  isPrepayValid(trade: Trade): boolean {
    return this.clock() - trade.prepayCreatedAt < PREPAY_LIFETIME_MS;
  }

  /** Gives the trade a new prepay_id, as WeChat does when the same order comes back after two hours. */
  renewPrepay(trade: Trade): void {
    this.issuePrepay(trade);
    this.changed();
  }

  /** The API (and v2 sign type) whose format the trade's notifies take: the latest order call's. */
  setOrigin(trade: Trade, origin: TradeOrigin): void {
    trade.origin = origin;
    this.changed();
  }

  /** Records the payer's attempt: a new transaction either way, and the trade SUCCESS or PAYERROR. */
  settle(trade: Trade, outcome: PaymentOutcome, payment: { bankType: string; payerOpenid: string }): void {
    if (!isPayable(trade)) throw new Error(`trade ${trade.outTradeNo} is ${trade.state}, not payable`);
    const now = this.clock();
    let transactionId: string;
    do transactionId = newTransactionId(now);
    while (this.outTradeNoByTransactionId.has(transactionId));
    this.outTradeNoByTransactionId.set(transactionId, trade.outTradeNo);
    trade.transactionId = transactionId;
    trade.timeEnd = beijingCompact(now);
    trade.bankType = payment.bankType;
    trade.openid ??= payment.payerOpenid;
    trade.state = outcome;
    this.changed();
  }

  /** The payer opened the cashier and is entering the password. */
  markUserPaying(trade: Trade): void {
    if (!isPayable(trade)) throw new Error(`trade ${trade.outTradeNo} is ${trade.state}, not payable`);
    trade.state = 'USERPAYING';
    this.changed();
  }

  close(trade: Trade): void {
    if (trade.state === 'SUCCESS') throw new Error(`trade ${trade.outTradeNo} is paid`);
    trade.state = 'CLOSED';
    this.changed();
  }

  /** Everything the store holds, as plain data. */
  snapshot(): TradeSnapshot {
    return {
      version: SNAPSHOT_VERSION,
      trades: [ ...this.trades.values() ],
      prepayIds: [ ...this.outTradeNoByPrepayId ],
      transactionIds: [ ...this.outTradeNoByTransactionId ],
    };
  }

  private restore(snapshot: TradeSnapshot): void {
    for (const trade of snapshot.trades) this.trades.set(trade.outTradeNo, trade);
    for (const [ prepayId, outTradeNo ] of snapshot.prepayIds) this.outTradeNoByPrepayId.set(prepayId, outTradeNo);
    for (const [ transactionId, outTradeNo ] of snapshot.transactionIds) this.outTradeNoByTransactionId.set(transactionId, outTradeNo);
  }

  private changed(): void {
    this.state.save();
  }

  private issuePrepay(trade: Trade): void {
    const now = this.clock();
    let prepayId: string;
    do prepayId = newPrepayId(now);
    while (this.outTradeNoByPrepayId.has(prepayId));
    this.outTradeNoByPrepayId.set(prepayId, trade.outTradeNo);
    trade.prepayId = prepayId;
    trade.prepayCreatedAt = now;
  }
}
