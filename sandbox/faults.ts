/**
 * Fault injection: "the next N calls to <target> fail this way".
 * `pay` stands for every Pay API call, v2 and v3; `refund` for v2's
 * /secapi/pay/refund and v3's refund apply, `refundquery` for both refund
 * queries; `downloadbill` is v2's bill, `tradebill` and `billdownload` v3's
 * two steps; the others name one operation.
 */
export const FAULT_TARGETS = [
  'jscode2session',
  'pay',
  'unifiedorder', 'orderquery', 'closeorder',
  'prepay', 'query', 'close', 'certificates',
  'refund', 'refundquery',
  'downloadbill', 'tradebill', 'billdownload',
] as const;

export type FaultTarget = typeof FAULT_TARGETS[number];

/**
 * SYSTEMERROR / BUSY: WeChat's signed "try again" (v3: 500 SYSTEM_ERROR /
 * 429); HTTP_500: a gateway page, unsigned; DELAY: a normal answer after
 * delayMs (on `refund`, the refund is applied first and only the answer is
 * late, so a merchant that times out has still refunded); FOREIGN_APPID /
 * FOREIGN_MCHID: a correctly signed query answer about another merchant's
 * app or account, which a merchant must not act upon. Refund refusals, as
 * WeChat answers them: NOTENOUGH (v3 403 NOT_ENOUGH), USER_ACCOUNT_ABNORMAL
 * (v3 403), BIZERR_NEED_RETRY (v2's "retry"; v3 says 500 SYSTEM_ERROR),
 * FREQUENCY_LIMITED (v3 429).
 */
export const FAULT_KINDS = [
  'SYSTEMERROR', 'BUSY', 'HTTP_500', 'DELAY', 'FOREIGN_APPID', 'FOREIGN_MCHID',
  'NOTENOUGH', 'FREQUENCY_LIMITED', 'USER_ACCOUNT_ABNORMAL', 'BIZERR_NEED_RETRY',
] as const;

export type FaultKind = typeof FAULT_KINDS[number];

// Only an order query describes a trade back to the merchant, so only it can describe another merchant's.
const QUERY_TARGETS: readonly FaultTarget[] = [ 'orderquery', 'query' ];
// Refusals that only a refund apply can meet.
const REFUND_TARGETS: readonly FaultTarget[] = [ 'refund' ];
const TARGETS_OF_KIND: Partial<Record<FaultKind, readonly FaultTarget[]>> = {
  FOREIGN_APPID: QUERY_TARGETS,
  FOREIGN_MCHID: QUERY_TARGETS,
  NOTENOUGH: REFUND_TARGETS,
  USER_ACCOUNT_ABNORMAL: REFUND_TARGETS,
  BIZERR_NEED_RETRY: REFUND_TARGETS,
  FREQUENCY_LIMITED: [ 'refund', 'refundquery' ],
};

export interface Fault {
  kind: FaultKind;
  /** for DELAY: how long to wait before answering normally */
  delayMs?: number;
}

export interface ArmedFault {
  target: FaultTarget;
  kind: FaultKind;
  remaining: number;
  delayMs: number;
}

export function isFaultTarget(value: unknown): value is FaultTarget {
  return (FAULT_TARGETS as readonly unknown[]).includes(value);
}

export function isFaultKind(value: unknown): value is FaultKind {
  return (FAULT_KINDS as readonly unknown[]).includes(value);
}

/** Why `kind` cannot be armed on `target`, or undefined when it can. */
export function faultMismatch(target: FaultTarget, kind: FaultKind): string | undefined {
  const targets = TARGETS_OF_KIND[kind];
  return targets && !targets.includes(target) ? `${kind} applies to ${targets.join(' and ')} only` : undefined;
}

export class FaultInjector {
  private readonly faults = new Map<FaultTarget, ArmedFault>();

  /** Arms a fault for the next `count` calls; a typo in a target throws instead of arming nothing. */
  arm(target: string, fault: Fault, count: number): void {
    if (!isFaultTarget(target)) throw new RangeError(`unknown fault target ${target}; known: ${FAULT_TARGETS.join(', ')}`);
    if (!isFaultKind(fault.kind)) throw new RangeError(`unknown fault kind ${String(fault.kind)}; known: ${FAULT_KINDS.join(', ')}`);
    const mismatch = faultMismatch(target, fault.kind);
    if (mismatch) throw new RangeError(mismatch);
    this.faults.set(target, { target, kind: fault.kind, remaining: count, delayMs: fault.delayMs ?? 0 });
  }

  clear(): void {
    this.faults.clear();
  }

  /** What is armed, for the control API. */
  armed(): ArmedFault[] {
    return [ ...this.faults.values() ].map(fault => ({ ...fault }));
  }

  /** The fault for this call, if one is armed for any of the targets (most specific first). */
  take(...targets: FaultTarget[]): Fault | undefined {
    for (const target of targets) {
      const fault = this.faults.get(target);
      if (!fault) continue;
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.faults.delete(target);
      return { kind: fault.kind, delayMs: fault.delayMs };
    }
    return undefined;
  }
}
