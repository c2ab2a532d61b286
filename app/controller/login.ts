import { Controller } from 'egg';
import { InvalidRequestError } from '../lib/api-error';

export default class LoginController extends Controller {
  // POST /api/login { code }
  async login() {
    const code = (this.ctx.request.body as { code?: unknown } | undefined)?.code;
    if (typeof code !== 'string' || code.length === 0 || code.length > 128) {
      throw new InvalidRequestError('CODE_REQUIRED', 'code must be the string wx.login returned');
    }
    this.ctx.body = await this.service.user.login(code);
  }
}
