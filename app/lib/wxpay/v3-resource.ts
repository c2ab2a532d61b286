// AEAD_AES_256_GCM resources as WeChat Pay v3 sends them in notifies and certificate downloads.
import crypto from 'node:crypto';

export const RESOURCE_ALGORITHM = 'AEAD_AES_256_GCM';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface EncryptedResource {
  algorithm: string;
  ciphertext: string;
  nonce: string;
  associated_data?: string;
  original_type?: string;
}

export type ResourceDecryptErrorCode =
  | 'RESOURCE_INVALID'
  | 'ALGORITHM_UNSUPPORTED'
  | 'KEY_INVALID'
  | 'NONCE_INVALID'
  | 'CIPHERTEXT_INVALID'
  | 'TAG_MISMATCH';

export class ResourceDecryptError extends Error {
  readonly code: ResourceDecryptErrorCode;

  constructor(code: ResourceDecryptErrorCode, message: string) {
    super(message);
    this.name = 'ResourceDecryptError';
    this.code = code;
  }
}

/** Converts the APIv3 key (32 UTF-8 bytes, as shown in the merchant platform) to raw key bytes. */
function keyBytes(apiV3Key: string): Buffer {
  const key = typeof apiV3Key === 'string' ? Buffer.from(apiV3Key, 'utf8') : undefined;
  if (!key || key.length !== KEY_BYTES) {
    throw new ResourceDecryptError('KEY_INVALID', `APIv3 key must be ${KEY_BYTES} bytes`);
  }
  return key;
}

/** Converts a WeChat nonce (a 12-character string used as its UTF-8 bytes) to raw IV bytes. */
function nonceBytes(nonce: string): Buffer {
  const iv = Buffer.from(nonce, 'utf8');
  if (iv.length !== NONCE_BYTES) {
    throw new ResourceDecryptError('NONCE_INVALID', `Nonce must be ${NONCE_BYTES} bytes`);
  }
  return iv;
}

/** Decrypts an AEAD_AES_256_GCM resource with the APIv3 key and returns the UTF-8 plaintext; throws ResourceDecryptError. */
export function decryptResource(resource: EncryptedResource, apiV3Key: string): string {
  if (
    !resource || typeof resource !== 'object' ||
    typeof resource.algorithm !== 'string' ||
    typeof resource.ciphertext !== 'string' ||
    typeof resource.nonce !== 'string' ||
    (resource.associated_data !== undefined && resource.associated_data !== null && typeof resource.associated_data !== 'string')
  ) {
    throw new ResourceDecryptError('RESOURCE_INVALID', 'Resource must have string algorithm, ciphertext and nonce');
  }
  if (resource.algorithm !== RESOURCE_ALGORITHM) {
    throw new ResourceDecryptError('ALGORITHM_UNSUPPORTED', `Unsupported resource algorithm (expected ${RESOURCE_ALGORITHM})`);
  }
  const key = keyBytes(apiV3Key);
  const iv = nonceBytes(resource.nonce);
  if (!BASE64_PATTERN.test(resource.ciphertext)) {
    throw new ResourceDecryptError('CIPHERTEXT_INVALID', 'Ciphertext is not valid base64');
  }
  const sealed = Buffer.from(resource.ciphertext, 'base64');
  if (sealed.length <= TAG_BYTES) {
    throw new ResourceDecryptError('CIPHERTEXT_INVALID', `Ciphertext must be longer than the ${TAG_BYTES}-byte tag`);
  }

  const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  if (resource.associated_data) {
    decipher.setAAD(Buffer.from(resource.associated_data, 'utf8'));
  }
  const body = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([ body, decipher.final() ]).toString('utf8');
  } catch {
    // final() throws only when authentication fails: wrong key, tampered data or different associated_data.
    throw new ResourceDecryptError('TAG_MISMATCH', 'Resource authentication failed (wrong APIv3 key or tampered data)');
  }
}
