/**
 * Credentials of the simulated merchant. They exist only so that local
 * development and the tests run against the sandbox; they open nothing at
 * the real WeChat. v3 key pairs are generated per process, never committed.
 */
import { generateKeyPairSync, createHash } from 'node:crypto';

export const SANDBOX_APPID = 'wxsandbox0000000001';
export const SANDBOX_SECRET = 'sandbox-app-secret-not-real';
export const SANDBOX_MCHID = '1900000001';
// v2 API keys are 32 characters; this one is derived, not a real key.
export const SANDBOX_API_KEY = createHash('md5').update('wxpay-merchant sandbox v2 key').digest('hex');
export const SANDBOX_APIV3_KEY = createHash('md5').update('wxpay-merchant sandbox v3 key').digest('hex');
export const SANDBOX_MERCHANT_CERT_SERIAL = '5ANDB0X000000000000000000000000000000001';
export const SANDBOX_PUBLIC_KEY_ID = 'PUB_KEY_ID_0100000000SANDBOX000000000001';

export interface SandboxKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

/** A fresh RSA-2048 key pair, as PEM text. */
export function generateRsaKeyPair(): SandboxKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/**
 * Another merchant's ids, named by the FOREIGN_APPID / FOREIGN_MCHID faults:
 * a correctly signed answer about a trade that is not the merchant's.
 */
export const FOREIGN_APPID = 'wxforeign0000000002';
export const FOREIGN_MCHID = '1900000002';
