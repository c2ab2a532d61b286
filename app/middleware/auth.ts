import { Context } from 'egg';
import { UnauthorizedError } from '../lib/api-error';
import { verifyAuthToken } from '../lib/auth-token';

/** Requires `Authorization: Bearer <token>` and puts the user id in ctx.state.userId. */
export default () => async function auth(ctx: Context, next: () => Promise<void>) {
  const header = ctx.get('authorization');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new UnauthorizedError('TOKEN_REQUIRED', 'send Authorization: Bearer <token> from /api/login');
  const userId = verifyAuthToken(match[1], ctx.app.config.auth.tokenSecret);
  if (userId === null) throw new UnauthorizedError('TOKEN_INVALID', 'the token is invalid or expired: log in again');
  ctx.state.userId = userId;
  await next();
};
