'use strict';

/**
 * Staff password hashes: scrypt (memory-hard, salted), stored as
 * `scrypt$N$r$p$salt$hash` (salt and hash in base64) so that every hash
 * carries the parameters it was made with and the defaults can be raised
 * later without breaking existing accounts.
 *
 * Plain JavaScript, shared by the app (app/lib/password.ts re-exports it) and
 * by database/staff-create.js, which must run where no TypeScript compiler is
 * installed (a production install, the Docker image): one format, one code.
 */

const crypto = require('node:crypto');
const { promisify } = require('node:util');

const scrypt = promisify(crypto.scrypt);

// 32 MiB of memory and ~0.1-0.4 s of one CPU per hash: costly for a guesser,
// bearable for a login (several requests hash at once on libuv's threads).
const DEFAULT_PARAMS = Object.freeze({ N: 2 ** 15, r: 8, p: 1 });
const SALT_BYTES = 16;
const KEY_BYTES = 32;

// Bounds on what a stored hash may ask for, so that a corrupt or planted row
// cannot make one login allocate gigabytes or spin for minutes.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

const PREFIX = 'scrypt';

/**
 * Hashes a password with a fresh random salt.
 * @param {string} password the password
 * @param {{N?: number, r?: number, p?: number}} [params] scrypt costs (tests use cheaper ones)
 * @return {Promise<string>} `scrypt$N$r$p$salt$hash`
 */
async function hashPassword(password, params = {}) {
  const { N, r, p } = { ...DEFAULT_PARAMS, ...params };
  checkParams(N, r, p);
  const salt = crypto.randomBytes(SALT_BYTES);
  const key = await scrypt(password.normalize('NFC'), salt, KEY_BYTES, { N, r, p, maxmem: maxmem(N, r, p) });
  return [ PREFIX, N, r, p, salt.toString('base64'), key.toString('base64') ].join('$');
}

/**
 * Whether a password matches a stored hash; false for a malformed hash too,
 * so a corrupt row locks its account out rather than letting anyone in.
 * @param {string} password the candidate
 * @param {string} stored a hashPassword() result
 * @return {Promise<boolean>} true when it matches
 */
async function verifyPassword(password, stored) {
  const parsed = parsePasswordHash(stored);
  if (!parsed) return false;
  const { N, r, p, salt, key } = parsed;
  const candidate = await scrypt(password.normalize('NFC'), salt, key.length, { N, r, p, maxmem: maxmem(N, r, p) });
  // Constant time: how much of the hash matched must not show in the timing.
  return crypto.timingSafeEqual(candidate, key);
}

/**
 * The parts of a stored hash, or null when it is not one we could have made.
 * @param {string} stored a stored hash
 * @return {{N: number, r: number, p: number, salt: Buffer, key: Buffer}|null} its parts
 */
function parsePasswordHash(stored) {
  if (typeof stored !== 'string') return null;
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== PREFIX) return null;
  const [ N, r, p ] = parts.slice(1, 4).map(part => (/^[1-9]\d{0,7}$/.test(part) ? Number(part) : NaN));
  try {
    checkParams(N, r, p);
  } catch (err) {
    return null;
  }
  const base64 = /^[A-Za-z0-9+/]+={0,2}$/;
  if (!base64.test(parts[4]) || !base64.test(parts[5])) return null;
  const salt = Buffer.from(parts[4], 'base64');
  const key = Buffer.from(parts[5], 'base64');
  if (salt.length < 8 || key.length < 16 || key.length > 64) return null;
  return { N, r, p, salt, key };
}

function checkParams(N, r, p) {
  const powerOfTwo = Number.isSafeInteger(N) && N > 1 && Number.isInteger(Math.log2(N));
  if (!powerOfTwo || N > MAX_N || !Number.isSafeInteger(r) || r < 1 || r > MAX_R
    || !Number.isSafeInteger(p) || p < 1 || p > MAX_P) {
    throw new Error(`scrypt parameters out of range: N=${N}, r=${r}, p=${p}`);
  }
}

// Node refuses scrypt when 128 * N * r (plus the p blocks) exceeds maxmem,
// whose default is exactly the 32 MiB that the default parameters need.
function maxmem(N, r, p) {
  return 128 * r * (N + p + 2) + 1024 * 1024;
}

module.exports = { hashPassword, verifyPassword, parsePasswordHash, DEFAULT_PARAMS };
