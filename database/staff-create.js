'use strict';

/**
 * npm run staff:create -- --username NAME [--role operator|viewer] [--disable|--enable] [--password]
 *
 * Creates a staff account or updates an existing one. The password comes from
 * STAFF_PASSWORD or, when that is unset and stdin is a terminal, a prompt
 * that does not echo. Creating needs a role and a password; updating changes
 * only what is given, and the password only with --password (so that a
 * STAFF_PASSWORD left in the shell cannot reset it during a --disable).
 *
 * Plain JavaScript on purpose: it runs in a checkout, on a production
 * install and in the Docker image, where no TypeScript compiler exists. It
 * reaches the database the service uses (DATABASE_URL, else the embedded
 * SQLite file of local/unittest: database/connection.js) and hashes with the
 * very code the login verifies with (database/password-hash.js).
 */

const path = require('node:path');
const { Sequelize, QueryTypes } = require('sequelize');
const { databaseUrlFor, sequelizeOptionsFromUrl } = require('./connection');
const { hashPassword } = require('./password-hash');
const account = require('./staff-account');

const USAGE = 'usage: npm run staff:create -- --username NAME [--role operator|viewer] [--disable|--enable] [--password]\n'
  + '  password (on creation, or with --password): STAFF_PASSWORD, or a prompt on a terminal';

/** A mistake of the caller's: printed without a stack, exit status 2. */
class UsageError extends Error {}

/**
 * @param {string[]} argv arguments after the script name
 * @return {{username: string, role?: string, disabled?: boolean, password?: boolean, help?: boolean}} what to create or change
 */
function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new UsageError(`${name} needs a value`);
      return argv[++i];
    };
    if (name === '--help' || name === '-h') return { help: true };
    else if (name === '--username') options.username = value();
    else if (name === '--role') options.role = value();
    else if (name === '--password' && inline === undefined) options.password = true;
    else if ((name === '--disable' || name === '--enable') && inline === undefined) {
      const disabled = name === '--disable';
      if (options.disabled !== undefined && options.disabled !== disabled) throw new UsageError('give --disable or --enable, not both');
      options.disabled = disabled;
    } else throw new UsageError(`unknown argument ${arg}`);
  }
  if (options.username === undefined) throw new UsageError('--username is required');
  options.username = account.normalizeUsername(options.username);
  if (!account.isValidUsername(options.username)) {
    throw new UsageError(`--username must be 1 to ${account.USERNAME_MAX_LENGTH} characters of a-z 0-9 . _ @ - (lower case), starting with a letter or digit`);
  }
  if (options.role !== undefined && !account.isStaffRole(options.role)) {
    throw new UsageError(`--role must be one of ${account.STAFF_ROLES.join(', ')}`);
  }
  return options;
}

/**
 * A password typed without echo (raw mode; Ctrl-C aborts).
 * @param {string} question the prompt, written to stderr so stdout stays clean
 * @return {Promise<string>} what was typed
 */
function promptHidden(question) {
  const { stdin, stderr } = process;
  return new Promise((resolve, reject) => {
    let typed = '';
    stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const finish = (err, result) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      stderr.write('\n');
      if (err) reject(err);
      else resolve(result);
    };
    function onData(chunk) {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish(null, typed);
        if (ch === '\u0003') return finish(new UsageError('aborted'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch >= ' ') typed += ch;
      }
    }
    stdin.on('data', onData);
  });
}

/**
 * The new password: STAFF_PASSWORD, else asked twice on a terminal. Undefined
 * means "keep the current one" (an update with nothing given).
 * @param {boolean} creating whether the account is new (a password is then required)
 * @return {Promise<string|undefined>} the password to set
 */
async function readPassword(creating) {
  let password = process.env.STAFF_PASSWORD;
  if (password === undefined || password === '') {
    if (!process.stdin.isTTY) {
      if (creating) throw new UsageError('set STAFF_PASSWORD (no terminal to ask on)');
      return undefined;
    }
    password = await promptHidden(creating ? 'Password: ' : 'New password (empty keeps the current one): ');
    if (password === '' && !creating) return undefined;
    checkPassword(password);
    if (await promptHidden('Repeat it: ') !== password) throw new UsageError('the passwords differ');
  }
  checkPassword(password);
  return password;
}

function checkPassword(password) {
  if (password.length < account.PASSWORD_MIN_LENGTH) {
    throw new UsageError(`the password must have at least ${account.PASSWORD_MIN_LENGTH} characters`);
  }
  if (password.length > account.PASSWORD_MAX_LENGTH) {
    throw new UsageError(`the password must have at most ${account.PASSWORD_MAX_LENGTH} characters`);
  }
}

/** egg's server env, as egg derives it, which picks the default database. */
function serverEnv(vars) {
  if (vars.EGG_SERVER_ENV) return vars.EGG_SERVER_ENV;
  if (vars.NODE_ENV === 'production') return 'prod';
  if (vars.NODE_ENV === 'test') return 'unittest';
  return 'local';
}

async function main(argv) {
  const options = parseArgs(argv);
  if (options.help) return USAGE;
  const url = databaseUrlFor(serverEnv(process.env));
  if (!url) throw new UsageError('DATABASE_URL is required');
  const sequelize = new Sequelize({ ...sequelizeOptionsFromUrl(url, path.join(__dirname, '..')), logging: false });
  try {
    const [ existing ] = await sequelize.query('SELECT id, role, disabled FROM staff WHERE username = ?',
      { replacements: [ options.username ], type: QueryTypes.SELECT });
    if (!existing && !options.role) throw new UsageError(`${options.username} does not exist: --role is required to create it`);
    const password = !existing || options.password ? await readPassword(!existing) : undefined;
    const now = new Date();
    if (!existing) {
      await sequelize.query(
        'INSERT INTO staff (username, password_hash, role, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
        { replacements: [ options.username, await hashPassword(password), options.role, Boolean(options.disabled), now, now ] });
      return `created ${options.role} ${options.username}${options.disabled ? ' (disabled)' : ''}`;
    }
    const changes = {};
    if (options.role) changes.role = options.role;
    if (options.disabled !== undefined) changes.disabled = options.disabled;
    if (password !== undefined) changes.password_hash = await hashPassword(password);
    const columns = Object.keys(changes);
    if (columns.length === 0) return `${options.username}: nothing to change`;
    await sequelize.query(`UPDATE staff SET ${columns.map(column => `${column} = ?`).join(', ')}, updated_at = ? WHERE id = ?`,
      { replacements: [ ...Object.values(changes), now, existing.id ] });
    const role = options.role || existing.role;
    const disabled = options.disabled !== undefined ? options.disabled : Boolean(existing.disabled);
    return `updated ${options.username}: ${role}, ${disabled ? 'disabled' : 'enabled'}${password !== undefined ? ', new password' : ''}`;
  } finally {
    await sequelize.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(message => {
    console.log(message);
  }, err => {
    if (err instanceof UsageError) {
      console.error(`staff:create: ${err.message}\n${USAGE}`);
      process.exitCode = 2;
    } else {
      console.error(`staff:create failed: ${err.message}`);
      process.exitCode = 1;
    }
  });
}

module.exports = { parseArgs };
