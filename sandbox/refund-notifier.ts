import { NotifyDeliverer, NotifySummary } from './notify-delivery';
import { Refund } from './refund-store';

export interface AnnounceOptions {
  /** false: record the outcome without telling the merchant (a query or a resend reveals it) */
  deliverNotify: boolean;
  /** answer only once the first attempt is over (at most its 5 s time-out) */
  wait: boolean;
}

/**
 * Refund notifies: one delivery per out_refund_no, to the refund's
 * notify_url, in the form its origin calls for (v2 XML for v2 and
 * merchant-platform refunds, v3 JSON for v3 ones), retried on WeChat's
 * schedule like payment notifies. A refund without a notify_url is notified
 * to nobody, as WeChat does when none was sent or configured.
 */
export class RefundNotifier extends NotifyDeliverer<Refund> {
  constructor(retryScale: number) {
    super(retryScale, { key: refund => refund.outRefundNo, url: refund => refund.notifyUrl!, format: refund => refund.notifyForm });
  }

  /** Tells the merchant the refund's current outcome, as the options ask. */
  async announce(refund: Readonly<Refund>, options: AnnounceOptions): Promise<NotifySummary> {
    if (!options.deliverNotify || !refund.notifyUrl) {
      this.suppress(refund);
      return { state: 'suppressed' };
    }
    if (!options.wait) {
      void this.deliver(refund);
      return { state: this.state(refund.outRefundNo) };
    }
    const firstAttempt = await this.deliver(refund);
    return { state: this.state(refund.outRefundNo), ...(firstAttempt && { firstAttempt }) };
  }
}
