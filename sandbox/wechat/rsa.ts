import { createPublicKey, KeyObject, sign, verify } from 'node:crypto';

/**
 * SHA256withRSA, the v3 signature algorithm: RSASSA-PKCS1-v1_5 over SHA-256,
 * base64 encoded. PKCS#1 v1.5 is deterministic, so one key and one message
 * always give the same signature, which lets published vectors pin it.
 */
export function rsaSha256Sign(message: string, privateKey: KeyObject | string): string {
  return sign('sha256', Buffer.from(message, 'utf8'), privateKey).toString('base64');
}

/** False for a wrong or malformed signature; a bad key still throws, since that is a setup error. */
export function rsaSha256Verify(message: string, signature: string, publicKey: KeyObject | string): boolean {
  if (typeof signature !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  try {
    return verify('sha256', Buffer.from(message, 'utf8'), key, Buffer.from(signature, 'base64'));
  } catch {
    // Whatever OpenSSL objects to in a signature, the answer is the same: it does not verify.
    return false;
  }
}
