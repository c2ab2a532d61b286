import { randomBytes } from 'node:crypto';

/**
 * WeChat's v3 bill download links (pay.weixin.qq.com/doc/v3/merchant/4012556654): the
 * tradebill call hands out a token that names the file it just described,
 * valid 30 s (the older documentation's lifetime; the newer says 5 min, so
 * a merchant that downloads at once is right with both). The file is kept
 * as it was when the link was made, so that its SHA1 matches the hash_value
 * given with the link even if a payment lands in between. Any number of
 * downloads may use a link while it lives: a merchant whose download broke
 * may try again at once. Links live in memory only: one that outlived a
 * restart would have expired anyway.
 */
export const BILL_LINK_LIFETIME_MS = 30 * 1000;

interface BillLink {
  text: string;
  expiresAt: number;
}

export class BillDownloadLinks {
  private readonly links = new Map<string, BillLink>();

  /** `clock`: the simulated WeChat's time in ms; tests move it to expire links. */
  constructor(private readonly clock: () => number) {}

  /** A new token for the bill `text`; expired links are forgotten on the way. */
  issue(text: string): string {
    const now = this.clock();
    for (const [ token, link ] of this.links) {
      if (link.expiresAt <= now) this.links.delete(token);
    }
    // Hex: the token travels in a query string the merchant signs, where it must need no escaping.
    const token = randomBytes(24).toString('hex');
    this.links.set(token, { text, expiresAt: now + BILL_LINK_LIFETIME_MS });
    return token;
  }

  /** The bill text a token names, or undefined when the token is unknown or has expired. */
  text(token: string): string | undefined {
    const link = this.links.get(token);
    if (!link) return undefined;
    if (link.expiresAt <= this.clock()) {
      this.links.delete(token);
      return undefined;
    }
    return link.text;
  }
}
