import { Service } from 'egg';
import { hashPassword } from '../lib/password';
import { isValidUsername, normalizeUsername, StaffPrincipal, StaffRole } from '../lib/staff-account';
import type { Staff } from '../model/staff';

export interface NewStaff {
  username: string;
  role: StaffRole;
  password: string;
}

// Local development only (app.ts): a known operator to try the staff API with.
export const DEMO_STAFF: Readonly<NewStaff> = Object.freeze({ username: 'demo', role: 'operator', password: 'demo-password' });

/**
 * The app's side of `staff`: reading accounts, and creating one that is
 * missing. Accounts are otherwise created, changed and disabled by
 * database/staff-create.js (`npm run staff:create`), which must run without
 * the app (a production install, the Docker image).
 */
export default class StaffService extends Service {
  /** The account of a login attempt, disabled or not, with its password hash; null when none has this name. */
  findForLogin(username: string): Promise<Staff | null> {
    if (!isValidUsername(username)) return Promise.resolve(null);
    return this.app.model.Staff.findOne({ where: { username } });
  }

  /** Who an enabled account is now; null when it is disabled or gone. Read on every staff request. */
  async findActive(username: string): Promise<StaffPrincipal | null> {
    const staff = await this.app.model.Staff.findOne({ where: { username, disabled: false }, attributes: [ 'username', 'role' ] });
    return staff ? { username: staff.username, role: staff.role } : null;
  }

  /** Creates an enabled account unless one has this username (it is then left as it is); true when created. */
  async createIfMissing(account: NewStaff): Promise<boolean> {
    const username = normalizeUsername(account.username);
    if (await this.app.model.Staff.findOne({ where: { username }, attributes: [ 'id' ] })) return false;
    const passwordHash = await hashPassword(account.password);
    // findOrCreate absorbs two instances creating it at once.
    const [ , created ] = await this.app.model.Staff.findOrCreate({
      where: { username },
      defaults: { username, passwordHash, role: account.role, disabled: false },
    });
    if (created) this.logger.info('[StaffService.createIfMissing] username: %s, role: %s', username, account.role);
    return created;
  }
}
