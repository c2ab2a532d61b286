import type { KeyObject } from 'node:crypto';
import { Agent } from 'node:https';
import { loadPemText, loadPrivateKey, loadPublicKey, PlatformCertificate } from '../lib/wxpay/v3-keys';
import type { V2SignType } from '../lib/wxpay/v2-sign';
import type { MerchantSigner } from '../lib/wxpay/v3-signature';
import { KeyRingLogger, WechatpayKeyRing } from './wechatpay-key-ring';

/** The configuration the credentials are built from (config.wxpay). */
export interface WechatPayKeyConfig {
  mchId: string;
  apiKey: string;
  signType: V2SignType;
  apiV3Key: string;
  certSerial: string;
  privateKey: string;
  publicKey: string;
  publicKeyId: string;
  /** apiclient_cert.pem (PEM text or a path): the v2 refund API's client certificate */
  clientCert: string;
}

export interface V3Credentials {
  signer: MerchantSigner;
  apiV3Key: string;
  keyRing: WechatpayKeyRing;
}

/**
 * Every WeChat Pay secret the service holds, parsed once per worker and
 * shared by the outbound adapters and the notify verification: the v2 key and
 * sign type; the v3 merchant signer, APIv3 key and the key ring that verifies
 * WeChat Pay (public key and platform certificates, with their download
 * policy). Nothing here is ever logged or returned.
 */
export class WechatPayCredentials {
  readonly mchId: string;
  readonly v2: { readonly apiKey: string; readonly signType: V2SignType };
  private v3Parsed?: V3Credentials;
  private tlsAgent?: Agent;

  constructor(
    private readonly config: WechatPayKeyConfig,
    private readonly fetchCertificates: (ring: WechatpayKeyRing) => Promise<PlatformCertificate[]>,
    private readonly logger: KeyRingLogger,
  ) {
    this.mchId = config.mchId;
    this.v2 = { apiKey: config.apiKey, signType: config.signType };
  }

  /**
   * The v3 keys, parsed on first use: a v2 merchant need not configure them,
   * and a broken key then fails the first v3 call (answered 5xx, retried by
   * WeChat), not every start.
   */
  get v3(): V3Credentials {
    if (!this.v3Parsed) {
      const { mchId, certSerial, privateKey, publicKey, publicKeyId, apiV3Key } = this.config;
      if (publicKey && !publicKeyId) throw new Error('WeChat Pay v3: WECHATPAY_PUBLIC_KEY needs WECHATPAY_PUBLIC_KEY_ID');
      const signerKey: KeyObject = loadPrivateKey(privateKey);
      this.v3Parsed = {
        signer: { mchId, serialNo: certSerial, privateKey: signerKey },
        apiV3Key,
        keyRing: new WechatpayKeyRing(publicKey ? { id: publicKeyId, key: loadPublicKey(publicKey) } : undefined,
          this.fetchCertificates, this.logger),
      };
    }
    return this.v3Parsed;
  }

  /**
   * An HTTPS agent whose every socket presents the merchant API client
   * certificate (apiclient_cert.pem with apiclient_key.pem), for the v2 calls
   * that require mutual TLS. Server certificates are always checked.
   */
  get clientTlsAgent(): Agent {
    if (!this.tlsAgent) {
      const { clientCert, privateKey } = this.config;
      if (!clientCert) throw new Error('WeChat Pay v2 refunds need WECHATPAY_CLIENT_CERT');
      this.tlsAgent = new Agent({
        cert: loadPemText(clientCert, 'Client certificate'),
        key: loadPemText(privateKey, 'Merchant private key'),
        keepAlive: true,
      });
    }
    return this.tlsAgent;
  }
}
