'use strict';

/**
 * What a staff account may be: roles, usernames, password lengths. Plain
 * JavaScript, shared by the app (app/lib/staff-account.ts) and by
 * database/staff-create.js, so that the script cannot create an account the
 * login would refuse.
 */

/** operator: may refund and re-run reconciliations; viewer: read only. */
const STAFF_ROLES = Object.freeze([ 'operator', 'viewer' ]);

const USERNAME_MAX_LENGTH = 64;
const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@-]{0,63}$/;
const PASSWORD_MIN_LENGTH = 8;
// scrypt reads the whole password: bound the work an anonymous request can ask for.
const PASSWORD_MAX_LENGTH = 1024;

/**
 * Usernames are compared trimmed and lower-cased: MySQL's default collations
 * ignore case and trailing spaces while SQLite's do not, so without this the
 * same login (and the lock-out counter of a username) would behave
 * differently on the two databases, and `Alice` would dodge `alice`'s lock-out.
 * @param {string} raw a username as typed
 * @return {string} the username as stored and counted
 */
function normalizeUsername(raw) {
  return raw.trim().toLowerCase();
}

/**
 * @param {string} username a normalized username
 * @return {boolean} whether an account may have this name
 */
function isValidUsername(username) {
  return USERNAME_PATTERN.test(username);
}

/**
 * @param {unknown} role a candidate
 * @return {boolean} whether it is a staff role
 */
function isStaffRole(role) {
  return STAFF_ROLES.includes(role);
}

module.exports = {
  STAFF_ROLES,
  USERNAME_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  PASSWORD_MAX_LENGTH,
  normalizeUsername,
  isValidUsername,
  isStaffRole,
};
