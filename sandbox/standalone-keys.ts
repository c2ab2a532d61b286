import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { issueMerchantCertificate } from './merchant-certificate';

/** Where the standalone sandbox keeps the v3 keys it made, and what the merchant must be told. */
export interface StandaloneV3Keys {
  merchantPrivateKey: string;
  wechatpayPrivateKey: string;
  /** set when the merchant's key was made here rather than given */
  merchantPrivateKeyFile?: string;
  wechatpayPublicKeyFile: string;
}

export const MERCHANT_KEY_FILE = 'apiclient_key.pem';
export const MERCHANT_CERT_FILE = 'apiclient_cert.pem';
export const WECHATPAY_PRIVATE_KEY_FILE = 'wechatpay_private_key.pem';
export const WECHATPAY_PUBLIC_KEY_FILE = 'wechatpay_public_key.pem';

/** The private key kept in `file`, made (RSA-2048, PKCS#8) and written owner-only the first time. */
function keptPrivateKey(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  writeFileSync(file, privateKey, { mode: 0o600 });
  return privateKey;
}

/**
 * The key pairs a standalone v3 sandbox needs, kept in `dir` so that they
 * (and so the merchant's settings) survive restarts: the simulated WeChat
 * Pay's own pair, whose public half the merchant verifies with, and, unless
 * the merchant's private key is given, a merchant pair whose private half
 * the merchant signs with.
 */
export function provisionV3Keys(dir: string, givenMerchantPrivateKey: string): StandaloneV3Keys {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const wechatpayPrivateKey = keptPrivateKey(path.join(dir, WECHATPAY_PRIVATE_KEY_FILE));
  const wechatpayPublicKeyFile = path.join(dir, WECHATPAY_PUBLIC_KEY_FILE);
  // Always derived afresh from the private key, so the two can never disagree.
  const publicPem = createPublicKey(createPrivateKey(wechatpayPrivateKey)).export({ type: 'spki', format: 'pem' }).toString();
  writeFileSync(wechatpayPublicKeyFile, publicPem);
  if (givenMerchantPrivateKey) {
    return { merchantPrivateKey: givenMerchantPrivateKey, wechatpayPrivateKey, wechatpayPublicKeyFile };
  }
  const merchantPrivateKeyFile = path.join(dir, MERCHANT_KEY_FILE);
  return { merchantPrivateKey: keptPrivateKey(merchantPrivateKeyFile), wechatpayPrivateKey, merchantPrivateKeyFile, wechatpayPublicKeyFile };
}

/**
 * Issues the merchant API client certificate (CN = mch_id) for the merchant's
 * key and writes it to `dir`, afresh at every start so that it always
 * matches the key and mch_id in use; returns the file's path.
 */
export function provisionMerchantCertificate(dir: string, merchantPrivateKey: string, mchId: string): string {
  const file = path.join(dir, MERCHANT_CERT_FILE);
  writeFileSync(file, issueMerchantCertificate(merchantPrivateKey, mchId));
  return file;
}
