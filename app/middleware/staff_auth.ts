import { Context } from 'egg';
import { ForbiddenError, UnauthorizedError } from '../lib/api-error';
import { bearerToken } from '../lib/bearer';
import { roleAllows, StaffRole } from '../lib/staff-account';
import { verifyStaffToken } from '../lib/staff-token';

export interface StaffAuthOptions {
  /** the role a route requires; any member of staff when unset */
  role?: StaffRole;
}

/**
 * Requires `Authorization: Bearer <staff token>` from /admin/api/login and
 * puts `{ username, role }` in ctx.state.staff. The account is read on every
 * request: a token of an account disabled or removed since is refused at
 * once, and the role that counts is the account's current one. Routes that
 * change things ask for `{ role: 'operator' }`; a viewer gets 403.
 */
export default (options: StaffAuthOptions = {}) => async function staffAuth(ctx: Context, next: () => Promise<void>) {
  const token = bearerToken(ctx.get('authorization'));
  if (!token) throw new UnauthorizedError('TOKEN_REQUIRED', 'send Authorization: Bearer <token> from /admin/api/login');
  const claimed = verifyStaffToken(token, ctx.app.config.auth.tokenSecret);
  if (!claimed) throw new UnauthorizedError('TOKEN_INVALID', 'the staff token is invalid or expired: log in again');
  const staff = await ctx.service.staff.findActive(claimed.username);
  if (!staff) throw new UnauthorizedError('TOKEN_INVALID', 'the staff account is disabled or no longer exists');
  if (options.role && !roleAllows(staff.role, options.role)) {
    throw new ForbiddenError('FORBIDDEN', `this needs the ${options.role} role`);
  }
  ctx.state.staff = staff;
  await next();
};
