import { newRefundId } from './ids';
import { SandboxStateFile } from './sandbox-state';

/** A refund's status, in v3's names (v2 says REFUNDCLOSE for CLOSED and CHANGE for ABNORMAL). */
export type RefundStatus = 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL';

/** Where a refund can go from PROCESSING. */
export const REFUND_OUTCOMES = [ 'SUCCESS', 'CLOSED', 'ABNORMAL' ] as const;
export type RefundOutcome = typeof REFUND_OUTCOMES[number];

/** The form WeChat notifies a refund in: v2 XML with req_info, or v3 JSON (REFUND.*). */
export type RefundNotifyForm = 'v2' | 'v3';

/** API: asked for through a refund API; VENDOR_PLATFORM: made by hand in the merchant platform. */
export type RefundRequestSource = 'API' | 'VENDOR_PLATFORM';

/** The account the money is taken from, in v3's names (v2: REFUND_SOURCE_UNSETTLED_FUNDS / REFUND_SOURCE_RECHARGE_FUNDS). */
export type FundsAccount = 'UNSETTLED' | 'AVAILABLE';

/** Where the payer gets the money back: every sandbox payer pays from the WeChat wallet. */
export const USER_RECEIVED_ACCOUNT = '支付用户零钱';

/** One refund as WeChat Pay keeps it. */
export interface Refund {
  refundId: string;
  outRefundNo: string;
  outTradeNo: string;
  transactionId: string;
  appid: string;
  mchid: string;
  /** the trade's total, fen */
  totalFee: number;
  /** this refund's amount, fen */
  refundFee: number;
  reason?: string;
  /** unset: WeChat notifies nobody (no URL was sent and none is configured in the merchant platform) */
  notifyUrl?: string;
  notifyForm: RefundNotifyForm;
  source: RefundRequestSource;
  fundsAccount: FundsAccount;
  status: RefundStatus;
  /** ms since the epoch, when WeChat accepted it */
  createdAt: number;
  /** ms since the epoch, when it succeeded */
  succeededAt?: number;
}

export type NewRefund = Omit<Refund, 'refundId' | 'status' | 'createdAt' | 'succeededAt'>;

/** Which statuses a refund may move to: ABNORMAL is not final at WeChat, SUCCESS and CLOSED are. */
const NEXT: Record<RefundStatus, readonly RefundOutcome[]> = {
  PROCESSING: REFUND_OUTCOMES,
  ABNORMAL: [ 'SUCCESS', 'CLOSED' ],
  SUCCESS: [],
  CLOSED: [],
};

export function canSettle(refund: Readonly<Refund>, outcome: RefundOutcome): boolean {
  return NEXT[refund.status].includes(outcome);
}

function isRefundList(value: unknown): value is Refund[] {
  return Array.isArray(value) && value.every(refund => typeof refund?.outRefundNo === 'string' && typeof refund?.refundId === 'string');
}

/**
 * Refunds keyed by out_refund_no (unique per merchant, whichever API made
 * them), with lookups by refund_id and by trade. Transitions go through here
 * so that, given a state file, every change is saved.
 */
export class RefundStore {
  private readonly refunds = new Map<string, Refund>();
  private readonly outRefundNoById = new Map<string, string>();

  constructor(private readonly clock: () => number, private readonly state = new SandboxStateFile()) {
    state.include(() => ({ refunds: [ ...this.refunds.values() ] }));
    const saved = state.saved?.refunds;
    if (saved === undefined) return;
    if (!isRefundList(saved)) throw new Error(`the sandbox state file ${state.path} holds no refunds of this sandbox; delete it to start afresh`);
    for (const refund of saved) this.index(refund);
  }

  find(outRefundNo: string): Refund | undefined {
    return this.refunds.get(outRefundNo);
  }

  findById(refundId: string): Refund | undefined {
    const outRefundNo = this.outRefundNoById.get(refundId);
    return outRefundNo === undefined ? undefined : this.refunds.get(outRefundNo);
  }

  /** The trade's refunds, oldest first, as WeChat numbers them in a refund query. */
  ofTrade(outTradeNo: string): Refund[] {
    return [ ...this.refunds.values() ].filter(refund => refund.outTradeNo === outTradeNo);
  }

  /** Every refund, oldest first. */
  all(): Refund[] {
    return [ ...this.refunds.values() ];
  }

  /** Accepts a refund: a new refund_id, PROCESSING. */
  create(request: NewRefund): Refund {
    if (this.refunds.has(request.outRefundNo)) throw new Error(`refund ${request.outRefundNo} already exists`);
    const now = this.clock();
    let refundId: string;
    do refundId = newRefundId(now);
    while (this.outRefundNoById.has(refundId));
    const refund: Refund = { ...request, refundId, status: 'PROCESSING', createdAt: now };
    this.index(refund);
    this.state.save();
    return refund;
  }

  /** Moves a refund on; throws when its status does not allow `outcome` (check canSettle first). */
  settle(refund: Refund, outcome: RefundOutcome): void {
    if (!canSettle(refund, outcome)) throw new Error(`refund ${refund.outRefundNo} is ${refund.status}; it cannot become ${outcome}`);
    refund.status = outcome;
    if (outcome === 'SUCCESS') refund.succeededAt = this.clock();
    this.state.save();
  }

  private index(refund: Refund): void {
    this.refunds.set(refund.outRefundNo, refund);
    this.outRefundNoById.set(refund.refundId, refund.outRefundNo);
  }
}
