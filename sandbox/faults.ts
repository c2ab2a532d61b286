/**
 * Fault injection: "the next N calls to <target> fail this way". Targets are
 * `jscode2session`, `pay` (every Pay API call, v2 and v3) or one Pay API
 * operation (`unifiedorder`, `orderquery`, `closeorder`, `prepay`, `query`, `close`).
 */
export type FaultKind = 'SYSTEMERROR' | 'BUSY' | 'HTTP_500' | 'DELAY';

export interface Fault {
  kind: FaultKind;
  /** for DELAY: how long to wait before answering normally */
  delayMs?: number;
}

interface ArmedFault extends Fault {
  remaining: number;
}

export class FaultInjector {
  private readonly armed = new Map<string, ArmedFault>();

  arm(target: string, fault: Fault, count: number): void {
    this.armed.set(target, { ...fault, remaining: count });
  }

  clear(): void {
    this.armed.clear();
  }

  /** The fault for this call, if one is armed for any of the targets (most specific first). */
  take(...targets: string[]): Fault | undefined {
    for (const target of targets) {
      const fault = this.armed.get(target);
      if (!fault) continue;
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.armed.delete(target);
      return { kind: fault.kind, delayMs: fault.delayMs };
    }
    return undefined;
  }
}
