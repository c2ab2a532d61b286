import jwt from 'jsonwebtoken';
import { jwtSecretKey } from './jwt-secret';

/**
 * Customer login tokens: HS256 JWTs with `sub` = user id, `aud` = "customer"
 * and `iat`/`exp` in seconds. Stateless, so any instance behind the load
 * balancer can check them. Staff tokens (staff-token.ts) are signed with the
 * same secret, so the audience is what keeps one from passing for the other.
 */

export const CUSTOMER_AUDIENCE = 'customer';

export interface IssuedToken {
  token: string;
  expiresIn: number;
}

/** Signs a token for a user that expires `ttlSeconds` from now. */
export function issueAuthToken(userId: number, secret: string, ttlSeconds: number): IssuedToken {
  const token = jwt.sign({}, jwtSecretKey(secret), {
    algorithm: 'HS256', subject: String(userId), audience: CUSTOMER_AUDIENCE, expiresIn: ttlSeconds,
  });
  return { token, expiresIn: ttlSeconds };
}

/**
 * The user id of a valid customer token, or null for a missing, forged,
 * expired or malformed one, one without `exp`, or one for another audience
 * (a staff token). Tokens issued before customer tokens had an audience carry
 * none and stay valid until they expire (AUTH_TOKEN_TTL after the upgrade).
 */
export function verifyAuthToken(token: string, secret: string): number | null {
  try {
    const payload = jwt.verify(token, jwtSecretKey(secret), { algorithms: [ 'HS256' ] });
    if (typeof payload !== 'object' || typeof payload.exp !== 'number') return null;
    if (payload.aud !== undefined && payload.aud !== CUSTOMER_AUDIENCE) return null;
    if (typeof payload.sub !== 'string' || !/^[1-9]\d*$/.test(payload.sub)) return null;
    return Number(payload.sub);
  } catch {
    return null;
  }
}
