import { InvalidRequestError } from './api-error';
import { normalizeUsername, PASSWORD_MAX_LENGTH, USERNAME_MAX_LENGTH } from './staff-account';

export interface StaffCredentials {
  /** normalized (staff-account.ts) */
  username: string;
  password: string;
}

/**
 * `{ username, password }` of POST /admin/api/login. Only the shape is
 * checked here: a username no account could have is still answered 401 (and
 * counted) by the login, like any unknown one.
 */
export function parseStaffCredentials(body: unknown): StaffCredentials {
  const { username, password } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof username !== 'string' || normalizeUsername(username) === '' || normalizeUsername(username).length > USERNAME_MAX_LENGTH) {
    throw new InvalidRequestError('USERNAME_REQUIRED', `username must be a string of 1 to ${USERNAME_MAX_LENGTH} characters`);
  }
  if (typeof password !== 'string' || password === '' || password.length > PASSWORD_MAX_LENGTH) {
    throw new InvalidRequestError('PASSWORD_REQUIRED', `password must be a string of 1 to ${PASSWORD_MAX_LENGTH} characters`);
  }
  return { username: normalizeUsername(username), password };
}
