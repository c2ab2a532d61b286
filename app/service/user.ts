import { Service } from 'egg';
import type { Transaction } from 'sequelize';
import { issueAuthToken, IssuedToken } from '../lib/auth-token';

export interface LoginResult extends IssuedToken {
  user: { id: number };
}

export default class UserService extends Service {
  /** wx.login code → code2Session → the user kept by openid → our own token. */
  async login(code: string): Promise<LoginResult> {
    const session = await this.service.wechatApi.code2Session(code);
    // findOrCreate absorbs the unique-key race of two first logins at once.
    const [ user, created ] = await this.app.model.User.findOrCreate({
      where: { openid: session.openid },
      defaults: { openid: session.openid, unionid: session.unionid },
    });
    if (!created && session.unionid && user.unionid !== session.unionid) {
      await user.update({ unionid: session.unionid });
    }
    this.logger.info('[UserService.login] userId: %d, created: %s', user.id, created);
    const { tokenSecret, tokenTtlSeconds } = this.config.auth;
    return { ...issueAuthToken(user.id, tokenSecret, tokenTtlSeconds), user: { id: user.id } };
  }

  /** Whether the user a token names still exists (an account may be removed while its token lives on). */
  async exists(userId: number, transaction?: Transaction): Promise<boolean> {
    return (await this.app.model.User.count({ where: { id: userId }, transaction })) > 0;
  }
}
