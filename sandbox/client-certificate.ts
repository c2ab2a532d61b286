import { KeyObject, X509Certificate } from 'node:crypto';

/** Who the simulated WeChat Pay expects on the far end of a mutual-TLS call. */
export interface CertifiedMerchant {
  mchId: string;
  /** the public half of the merchant's private key; undefined when the sandbox has no merchant key */
  publicKey?: KeyObject;
}

function commonName(cert: X509Certificate): string | undefined {
  // Node writes the subject one attribute per line: `C=CN\n…\nCN=1900000001`.
  const line = cert.subject.split('\n').find(attribute => attribute.startsWith('CN='));
  return line?.slice('CN='.length);
}

function spki(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

/**
 * Whether a client certificate, already chained to the CA by the TLS layer,
 * is this merchant's API certificate: it certifies the merchant's own key and
 * names its mch_id as CN. Anything else (another merchant's certificate,
 * none at all over plain HTTP) is what WeChat answers "certificate not match".
 */
export function isMerchantCertificate(cert: X509Certificate | undefined, merchant: CertifiedMerchant): boolean {
  if (!cert || !merchant.publicKey) return false;
  return commonName(cert) === merchant.mchId && spki(cert.publicKey).equals(spki(merchant.publicKey));
}
