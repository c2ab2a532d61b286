import type { RefundNotifier } from './refund-notifier';
import type { Refund, RefundStore } from './refund-store';

/**
 * WeChat completes a refund on its own (a wallet refund within minutes): with
 * `afterMs` set, a refund WeChat accepted becomes SUCCESS that long after and
 * its notify goes out, so a developer clicking through the console sees
 * PROCESSING turn SUCCESS without playing WeChat by hand. Local development
 * sets it; the tests leave it off and settle refunds with /control/refund.
 * A refund settled otherwise meanwhile is left alone; a restart forgets the timers.
 */
export function refundSettler(afterMs: number, refunds: RefundStore, notifier: RefundNotifier): (refund: Refund) => void {
  return refund => {
    if (afterMs <= 0) return;
    const timer = setTimeout(() => {
      if (refund.status !== 'PROCESSING') return;
      refunds.settle(refund, 'SUCCESS');
      notifier.announce(refund, { deliverNotify: true, wait: false }).catch(() => undefined);
    }, afterMs);
    timer.unref();
  };
}
