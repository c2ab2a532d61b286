import { Context } from 'egg';
import { UnauthorizedError } from '../lib/api-error';
import { verifyAuthToken } from '../lib/auth-token';
import { bearerToken } from '../lib/bearer';

/**
 * Requires `Authorization: Bearer <customer token>` and puts the user id in
 * ctx.state.userId. A staff token is refused here (its audience is not ours).
 */
export default () => async function auth(ctx: Context, next: () => Promise<void>) {
  const token = bearerToken(ctx.get('authorization'));
  if (!token) throw new UnauthorizedError('TOKEN_REQUIRED', 'send Authorization: Bearer <token> from /api/login');
  const userId = verifyAuthToken(token, ctx.app.config.auth.tokenSecret);
  if (userId === null) throw new UnauthorizedError('TOKEN_INVALID', 'the token is invalid or expired: log in again');
  ctx.state.userId = userId;
  await next();
};
