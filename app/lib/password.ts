/**
 * Staff password hashing (scrypt, salted, parameters stored with the hash).
 * Implemented once in plain JavaScript under database/ so that the
 * staff:create script, which runs without a TypeScript compiler, writes
 * exactly the format the login verifies.
 */
export { hashPassword, verifyPassword, parsePasswordHash, DEFAULT_PARAMS } from '../../database/password-hash';
export type { ScryptParams } from '../../database/password-hash';

/**
 * A hash of a random password that nobody knows, made with the default
 * parameters: a login for an unknown username is checked against it, so that
 * it costs as long as a real one and the timing does not tell which
 * usernames exist. test/lib/password.test.ts keeps its parameters equal to
 * the defaults.
 */
export const DUMMY_PASSWORD_HASH = 'scrypt$32768$8$1$JVFvyc4rWPERy0D45aMloQ==$21RzmfbSUYWXp3O0opTiDdVS6ZVdcHeewXnKKEc71Gs=';
