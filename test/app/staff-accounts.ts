import assert from 'node:assert/strict';
import { MockApplication } from 'egg-mock';
import { hashPassword } from '../../app/lib/password';
import type { StaffRole } from '../../app/lib/staff-account';

// Cheap hashes for accounts the tests make directly: the format is the real
// one, only the cost is lower (the parameters travel with each hash).
const TEST_COST = { N: 1024 };

export const STAFF_PASSWORD = 'staff-password-1';

/** Puts a staff account in the database as staff:create would. */
export async function createStaff(app: MockApplication, username: string,
  options: { role?: StaffRole; password?: string; disabled?: boolean } = {}) {
  return app.model.Staff.create({
    username,
    passwordHash: await hashPassword(options.password ?? STAFF_PASSWORD, TEST_COST),
    role: options.role ?? 'viewer',
    disabled: options.disabled ?? false,
  });
}

/** POST /admin/api/login as it is answered. */
export function staffLogin(app: MockApplication, username: string, password = STAFF_PASSWORD) {
  return app.httpRequest().post('/admin/api/login').send({ username, password });
}

/** A staff token for an account (created here unless it exists). */
export async function staffToken(app: MockApplication, username: string, role: StaffRole = 'viewer'): Promise<string> {
  if (!await app.model.Staff.findOne({ where: { username } })) await createStaff(app, username, { role });
  const res = await staffLogin(app, username).expect(200);
  assert.equal(typeof res.body.token, 'string');
  return res.body.token;
}
