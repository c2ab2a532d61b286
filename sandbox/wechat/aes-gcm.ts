import { createCipheriv, createDecipheriv } from 'node:crypto';

/**
 * AEAD_AES_256_GCM, how v3 encrypts notify resources and downloaded
 * certificates ("证书和回调报文解密"): the key is the 32-character APIv3 key
 * taken as bytes, the nonce 12 characters taken as bytes, associated_data
 * authenticated but not encrypted; `ciphertext` is base64 of the encrypted
 * bytes followed by the 16-byte authentication tag.
 */
export const AEAD_AES_256_GCM = 'AEAD_AES_256_GCM';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A `resource` / `encrypt_certificate` object as WeChat sends it. */
export interface SealedResource {
  algorithm: typeof AEAD_AES_256_GCM;
  ciphertext: string;
  nonce: string;
  associated_data: string;
}

function bytesOf(value: string, expected: number, what: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length !== expected) throw new RangeError(`the ${what} must be ${expected} bytes, not ${bytes.length}`);
  return bytes;
}

/** base64(ciphertext || tag). */
export function aesGcmEncrypt(plaintext: string, apiV3Key: string, nonce: string, associatedData: string): string {
  const cipher = createCipheriv('aes-256-gcm', bytesOf(apiV3Key, KEY_BYTES, 'APIv3 key'), bytesOf(nonce, NONCE_BYTES, 'nonce'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  return Buffer.concat([ cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag() ]).toString('base64');
}

/** The plaintext; throws when the tag does not authenticate (wrong key, nonce, associated data or bytes). */
export function aesGcmDecrypt(ciphertext: string, apiV3Key: string, nonce: string, associatedData: string): string {
  const sealed = Buffer.from(ciphertext, 'base64');
  if (sealed.length < TAG_BYTES) throw new RangeError('the ciphertext is shorter than its tag');
  const decipher = createDecipheriv('aes-256-gcm', bytesOf(apiV3Key, KEY_BYTES, 'APIv3 key'), bytesOf(nonce, NONCE_BYTES, 'nonce'));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([ decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final() ]).toString('utf8');
}

/** Encrypts `plaintext` into the object WeChat puts in a notify's `resource` or a certificate's `encrypt_certificate`. */
export function sealResource(plaintext: string, apiV3Key: string, nonce: string, associatedData: string): SealedResource {
  return {
    algorithm: AEAD_AES_256_GCM,
    ciphertext: aesGcmEncrypt(plaintext, apiV3Key, nonce, associatedData),
    nonce,
    associated_data: associatedData,
  };
}
