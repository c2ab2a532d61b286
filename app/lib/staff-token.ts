import jwt from 'jsonwebtoken';
import { jwtSecretKey } from './jwt-secret';
import { isStaffRole, isValidUsername, StaffPrincipal } from './staff-account';
import type { IssuedToken } from './auth-token';

/**
 * Staff tokens: HS256 JWTs signed with the customers' secret, told apart by
 * `aud` = "staff", with `sub` = the username and the role in a `role` claim.
 * The claim tells the client what it may show; the staff auth middleware
 * still reads the account on every request, so a disabled account or a
 * changed role takes effect at once.
 */

export const STAFF_AUDIENCE = 'staff';

/** Signs a staff token that expires `ttlSeconds` from now. */
export function issueStaffToken(staff: StaffPrincipal, secret: string, ttlSeconds: number): IssuedToken {
  const token = jwt.sign({ role: staff.role }, jwtSecretKey(secret), {
    algorithm: 'HS256', subject: staff.username, audience: STAFF_AUDIENCE, expiresIn: ttlSeconds,
  });
  return { token, expiresIn: ttlSeconds };
}

/**
 * Who a valid staff token names, or null for a forged, expired or malformed
 * token, one without `exp`, or one for another audience (a customer token).
 */
export function verifyStaffToken(token: string, secret: string): StaffPrincipal | null {
  try {
    const payload = jwt.verify(token, jwtSecretKey(secret), { algorithms: [ 'HS256' ] });
    if (typeof payload !== 'object' || typeof payload.exp !== 'number') return null;
    // exactly "staff": jsonwebtoken's own audience option would also take an array holding it
    if (payload.aud !== STAFF_AUDIENCE) return null;
    if (typeof payload.sub !== 'string' || !isValidUsername(payload.sub) || !isStaffRole(payload.role)) return null;
    return { username: payload.sub, role: payload.role };
  } catch {
    return null;
  }
}
