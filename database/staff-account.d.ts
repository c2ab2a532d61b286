export type StaffRole = 'operator' | 'viewer';

export const STAFF_ROLES: readonly StaffRole[];
export const USERNAME_MAX_LENGTH: number;
export const PASSWORD_MIN_LENGTH: number;
export const PASSWORD_MAX_LENGTH: number;
export function normalizeUsername(raw: string): string;
export function isValidUsername(username: string): boolean;
export function isStaffRole(role: unknown): role is StaffRole;
