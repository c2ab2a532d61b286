import { Controller } from 'egg';
import { parseStaffCredentials } from '../../lib/staff-login-input';

export default class AdminSessionController extends Controller {
  // POST /admin/api/login { username, password }
  async login() {
    const { username, password } = parseStaffCredentials(this.ctx.request.body);
    this.ctx.body = await this.service.staffLogin.login(username, password);
  }
}
