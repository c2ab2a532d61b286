import { Service } from 'egg';
import { TooManyRequestsError, UnauthorizedError } from '../lib/api-error';
import type { IssuedToken } from '../lib/auth-token';
import { DUMMY_PASSWORD_HASH, verifyPassword } from '../lib/password';
import { normalizeUsername, StaffPrincipal } from '../lib/staff-account';
import { issueStaffToken } from '../lib/staff-token';

export interface StaffLoginResult extends IssuedToken {
  staff: StaffPrincipal;
}

/** Staff sign-in: password check under the lock-out, then a staff token. */
export default class StaffLoginService extends Service {
  /**
   * An unknown username, a wrong password and a disabled account all answer
   * the same 401 after the same scrypt work (a dummy hash stands in for a
   * missing account), and all count towards the username's lock-out; so do
   * usernames no account has, which keeps the replies from telling which exist.
   */
  async login(rawUsername: string, password: string): Promise<StaffLoginResult> {
    const username = normalizeUsername(rawUsername);
    const now = new Date();
    const { loginThrottle } = this.service;
    await this.refuseIfLocked(username, now);
    const attemptId = await loginThrottle.begin(username, now);
    if (attemptId === null) {
      await this.refuseIfLocked(username, now);
      // the attempts that filled the window are all still running: they settle it within a second
      throw tooManyAttempts(1);
    }

    const staff = await this.service.staff.findForLogin(username);
    const matches = await verifyPassword(password, staff?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!staff || staff.disabled || !matches) {
      await loginThrottle.failed(now);
      this.logger.info('[StaffLoginService.login:refused] username: %s, known: %s, disabled: %s',
        username, Boolean(staff), Boolean(staff?.disabled));
      throw new UnauthorizedError('INVALID_CREDENTIALS', 'the username or password is wrong, or the account is disabled');
    }

    await loginThrottle.succeeded(attemptId);
    const principal: StaffPrincipal = { username: staff.username, role: staff.role };
    const { tokenSecret, staffTokenTtlSeconds } = this.config.auth;
    this.logger.info('[StaffLoginService.login] username: %s, role: %s', principal.username, principal.role);
    return { ...issueStaffToken(principal, tokenSecret, staffTokenTtlSeconds), staff: principal };
  }

  /** 429 while the username is locked out, whatever the password. */
  private async refuseIfLocked(username: string, now: Date): Promise<void> {
    const lockout = await this.service.loginThrottle.lockout(username, now);
    if (!lockout.locked) return;
    this.logger.warn('[StaffLoginService.login:locked] username: %s, retryAfter: %d s', username, lockout.retryAfterSeconds);
    throw tooManyAttempts(lockout.retryAfterSeconds);
  }
}

function tooManyAttempts(retryAfterSeconds: number): TooManyRequestsError {
  return new TooManyRequestsError('TOO_MANY_ATTEMPTS',
    `too many failed logins for this username: try again in ${retryAfterSeconds} s`, retryAfterSeconds);
}
