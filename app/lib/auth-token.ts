import jwt from 'jsonwebtoken';

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
  const token = jwt.sign({}, secret, { algorithm: 'HS256', subject: String(userId), expiresIn: ttlSeconds });
  return { token, expiresIn: ttlSeconds };
}

/** The user id of a valid token, or null for a missing, forged, expired or malformed one. */
export function verifyAuthToken(token: string, secret: string): number | null {
  try {
    const payload = jwt.verify(token, secret, { algorithms: [ 'HS256' ] });
    if (typeof payload !== 'object' || typeof payload.sub !== 'string' || !/^[1-9]\d*$/.test(payload.sub)) {
      return null;
    }
    return Number(payload.sub);
  } catch {
    return null;
  }
}
