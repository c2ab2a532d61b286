/**
 * What the simulated WeChat must share with the merchant it serves. A file
 * of its own so that every simulator can take it without importing the
 * Sandbox that builds them.
 */
export interface SandboxOptions {
  appId: string;
  secret: string;
  mchId: string;
  apiKey: string;
  apiV3Key: string;
  /** merchant's private key (PEM): the sandbox derives the public half to check v3 requests */
  merchantPrivateKey: string;
  merchantCertSerial: string;
  /** the simulated WeChat Pay's own signing key (PEM) and the id it is published under */
  wechatpayPrivateKey: string;
  wechatpayPublicKeyId: string;
  /** multiplies WeChat's notify retry delays */
  notifyRetryScale: number;
  /** WeChat completes every refund it accepted this many ms later (refund-auto-settle.ts); unset or 0: only /control/refund does */
  refundSettleAfterMs?: number;
  /** the simulated WeChat's clock in ms (default Date.now); tests move it to expire prepay_ids */
  clock?: () => number;
  /**
   * A JSON file that keeps the trades and refunds across restarts (local development):
   * loaded at start, rewritten after every change. Unset: they live in memory only.
   */
  statePath?: string;
}
