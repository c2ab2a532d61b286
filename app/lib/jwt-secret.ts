import { createSecretKey, KeyObject } from 'node:crypto';

// Given a string secret, jsonwebtoken 9 first tries createPublicKey() on it and
// catches the failure, on every sign and verify (~0.33 ms of CPU); a KeyObject
// made once per secret skips that (~7 µs per verify).
const secretKeys = new Map<string, KeyObject>();

/** The HS256 key of a token secret (AUTH_TOKEN_SECRET), made once. */
export function jwtSecretKey(secret: string): KeyObject {
  let key = secretKeys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    secretKeys.set(secret, key);
  }
  return key;
}
