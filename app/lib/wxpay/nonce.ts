import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// Largest multiple of 62 that fits in a byte (248): bytes at or above it are dropped so that
// `byte % 62` is uniform; plain modulo over 256 would favour the first 8 characters.
const UNBIASED_LIMIT = 256 - (256 % ALPHABET.length);
// WeChat Pay v2 caps nonce_str at 32 characters.
const MAX_NONCE_LENGTH = 32;

/** Random alphanumeric nonce_str of `length` (1..32) characters, from the CSPRNG without modulo bias. */
export function createNonce(length = 32): string {
  if (!Number.isInteger(length) || length < 1 || length > MAX_NONCE_LENGTH) {
    throw new RangeError(`Nonce length must be an integer from 1 to ${MAX_NONCE_LENGTH}, got ${length}`);
  }
  let nonce = '';
  while (nonce.length < length) {
    // About 3% of bytes are rejected; asking for a few spare usually finishes in one round.
    for (const byte of randomBytes(length - nonce.length + 8)) {
      if (byte >= UNBIASED_LIMIT) continue;
      nonce += ALPHABET[byte % ALPHABET.length];
      if (nonce.length === length) break;
    }
  }
  return nonce;
}

/** Unix time in whole seconds as a decimal string (v2 `time_stamp`, JSAPI `timeStamp`). */
export function unixTimestamp(now: number = Date.now()): string {
  if (!Number.isFinite(now)) throw new RangeError(`Invalid time: ${now}`);
  return String(Math.floor(now / 1000));
}
