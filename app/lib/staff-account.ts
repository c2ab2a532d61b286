/**
 * Staff accounts: roles, usernames and password lengths (shared with the
 * plain-JS staff:create script through database/staff-account.js), and the
 * role check of the staff API.
 */
export {
  STAFF_ROLES, USERNAME_MAX_LENGTH, PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH,
  normalizeUsername, isValidUsername, isStaffRole,
} from '../../database/staff-account';
export type { StaffRole } from '../../database/staff-account';

import type { StaffRole } from '../../database/staff-account';

/** Who is calling the staff API, as the staff auth middleware puts it in ctx.state.staff. */
export interface StaffPrincipal {
  username: string;
  role: StaffRole;
}

// What each role may do: an operator may do everything a viewer may.
const GRANTS: Record<StaffRole, readonly StaffRole[]> = {
  operator: [ 'operator', 'viewer' ],
  viewer: [ 'viewer' ],
};

/** Whether a member of staff with role `actual` may use a route that requires `required`. */
export function roleAllows(actual: StaffRole, required: StaffRole): boolean {
  return GRANTS[actual]?.includes(required) ?? false;
}
