import { createSecretKey, KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

// Given a string secret, jsonwebtoken 9 first tries createPublicKey() on it and
// catches the failure, on every sign and verify (~0.33 ms of CPU); a KeyObject
// made once per secret skips that (~7 µs per verify).
const secretKeys = new Map<string, KeyObject>();
function secretKey(secret: string): KeyObject {
  let key = secretKeys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    secretKeys.set(secret, key);
  }
  return key;
}

/**
 * Login tokens: HS256 JWTs with `sub` = user id and `iat`/`exp` in seconds.
 * Stateless, so any instance behind the load balancer can check them.
 */

export interface IssuedToken {
  token: string;
  expiresIn: number;
}

/** Signs a token for a user that expires `ttlSeconds` from now. */
export function issueAuthToken(userId: number, secret: string, ttlSeconds: number): IssuedToken {
  const token = jwt.sign({}, secretKey(secret), { algorithm: 'HS256', subject: String(userId), expiresIn: ttlSeconds });
  return { token, expiresIn: ttlSeconds };
}

/** The user id of a valid token, or null for a missing, forged, expired or malformed one. */
export function verifyAuthToken(token: string, secret: string): number | null {
  try {
    const payload = jwt.verify(token, secretKey(secret), { algorithms: [ 'HS256' ] });
    if (typeof payload !== 'object' || typeof payload.sub !== 'string' || !/^[1-9]\d*$/.test(payload.sub)) {
      return null;
    }
    return Number(payload.sub);
  } catch {
    return null;
  }
}
