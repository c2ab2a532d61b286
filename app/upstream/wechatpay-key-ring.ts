import { PlatformCertificate, WechatpayKeyStore, WechatpayPublicKey } from '../lib/wxpay/v3-keys';

/** Platform certificates are downloaded again after this long (WeChat rotates them with overlap). */
export const CERTIFICATE_REFRESH_MS = 12 * 3600_000;
/** An unknown Wechatpay-Serial triggers a download at most this often, so forged serials cannot flood WeChat. */
export const UNKNOWN_SERIAL_REFRESH_MS = 60_000;

export interface KeyRingLogger {
  warn(message: string, ...args: unknown[]): void;
}

/**
 * The keys that verify WeChat Pay v3 (replies and notifies alike): the
 * configured WeChat Pay public key, and platform certificates from
 * /v3/certificates — required when no public key is configured, fetched on
 * demand (an unknown serial) otherwise, and refreshed every 12 h once held.
 * Concurrent downloads share one request. It lives as long as the app.
 */
export class WechatpayKeyRing {
  readonly store: WechatpayKeyStore;
  readonly certificatesRequired: boolean;
  private downloadedAt?: number;
  private onDemandAt = -Infinity;
  private download?: Promise<void>;

  constructor(
    readonly publicKey: WechatpayPublicKey | undefined,
    private readonly fetchCertificates: (ring: WechatpayKeyRing) => Promise<PlatformCertificate[]>,
    private readonly logger: KeyRingLogger,
    private readonly clock: () => number = Date.now,
  ) {
    this.store = new WechatpayKeyStore({ publicKey });
    this.certificatesRequired = !publicKey;
  }

  /**
   * The keys to verify with. Downloads platform certificates first when they
   * are required and missing or due; with `serial`, one the store does not
   * know, downloads them again (at most once a minute) in case WeChat has
   * rotated its certificate.
   */
  async keys(serial?: string): Promise<WechatpayKeyStore> {
    if (this.needsRefresh()) {
      try {
        await this.refresh();
      } catch (err) {
        if (this.certificatesRequired && !this.store.hasCertificates()) throw err;
        // Certificates still held keep working; the next call tries again.
        this.logger.warn('[WechatpayKeyRing.keys:refresh-failed] keeping %d known serial(s): %s',
          this.store.serials().length, (err as Error).message);
      }
    }
    if (serial !== undefined && !this.store.get(serial) && this.claimOnDemandRefresh()) {
      try {
        await this.refresh();
      } catch (err) {
        // The caller's verification then fails with SERIAL_UNKNOWN, which is the truth.
        this.logger.warn('[WechatpayKeyRing.keys:on-demand-failed] %s', (err as Error).message);
      }
    }
    return this.store;
  }

  private needsRefresh(): boolean {
    if (this.downloadedAt === undefined) return this.certificatesRequired;
    return this.clock() - this.downloadedAt >= CERTIFICATE_REFRESH_MS;
  }

  private claimOnDemandRefresh(): boolean {
    const now = this.clock();
    if (now - this.onDemandAt < UNKNOWN_SERIAL_REFRESH_MS) return false;
    this.onDemandAt = now;
    return true;
  }

  private refresh(): Promise<void> {
    this.download ??= (async () => {
      try {
        this.store.replaceCertificates(await this.fetchCertificates(this));
        this.downloadedAt = this.clock();
      } finally {
        this.download = undefined;
      }
    })();
    return this.download;
  }
}
