import { Service } from 'egg';
import { Op } from 'sequelize';
import { Lockout, lockoutOf, MAX_FAILURES, windowStart } from '../lib/login-throttle';

/**
 * The owner of `staff_login_failures`: the staff login lock-out, counted in
 * the database so that every instance behind the load balancer sees the same
 * attempts. The rule itself is app/lib/login-throttle.ts.
 *
 * An attempt is written down BEFORE its password is checked, and only goes
 * away when the password turns out right: counting only finished failures
 * would let a burst of concurrent guesses all pass the check before the
 * first of them failed. Rows left by a crash mid-check count as failures,
 * which errs on the safe side.
 */
export default class LoginThrottleService extends Service {
  /** Whether the username is locked out at `now`, and for how long. */
  async lockout(username: string, now: Date): Promise<Lockout> {
    const rows = await this.app.model.StaffLoginFailure.findAll({
      where: { username, failedAt: { [Op.gt]: windowStart(now) } },
      attributes: [ 'failedAt' ],
      order: [[ 'failedAt', 'DESC' ]],
      limit: MAX_FAILURES,
    });
    return lockoutOf(rows.map(row => row.failedAt), now);
  }

  /**
   * Writes an attempt down as a failure; its id, or null when attempts
   * already in flight or failed fill the window (the attempt is then taken
   * back and must be refused).
   */
  async begin(username: string, now: Date): Promise<number | null> {
    const { StaffLoginFailure } = this.app.model;
    const attempt = await StaffLoginFailure.create({ username, failedAt: now });
    const counted = await StaffLoginFailure.count({ where: { username, failedAt: { [Op.gt]: windowStart(now) } } });
    if (counted <= MAX_FAILURES) return attempt.id;
    await StaffLoginFailure.destroy({ where: { id: attempt.id } });
    return null;
  }

  /** The attempt succeeded: it was no failure. */
  async succeeded(attemptId: number): Promise<void> {
    await this.app.model.StaffLoginFailure.destroy({ where: { id: attemptId } });
  }

  /**
   * The attempt failed: its row stays and counts. Failures that left the
   * window, whatever their username, are dropped on the way, so guessing
   * random usernames cannot grow the table without bound. Dropping them is
   * housekeeping: its failure must not turn a 401 into a 500.
   */
  async failed(now: Date): Promise<void> {
    try {
      await this.app.model.StaffLoginFailure.destroy({ where: { failedAt: { [Op.lte]: windowStart(now) } } });
    } catch (err) {
      this.logger.warn('[LoginThrottle.failed:purge] %s', (err as Error).message);
    }
  }
}
