import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { app } from 'egg-mock/bootstrap';
import { staffLogin } from '../staff-accounts';

const SCRIPT = path.join(__dirname, '../../../database/staff-create.js');

/** The URL of the database the app under test uses, rebuilt from its Sequelize config. */
function databaseUrlOfApp(): string {
  const options = app.config.sequelize as unknown as Record<string, any>;
  if (options.dialect === 'sqlite') return `sqlite:${options.storage}`;
  const auth = `${encodeURIComponent(options.username ?? '')}:${encodeURIComponent(options.password ?? '')}`;
  return `mysql://${auth}@${options.host}:${options.port}/${encodeURIComponent(options.database)}`;
}

/** Runs `npm run staff:create -- …` as an operator would, stdin not a terminal. */
async function staffCreate(args: string[], password?: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrlOfApp() };
  delete env.STAFF_PASSWORD;
  if (password !== undefined) env.STAFF_PASSWORD = password;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [ SCRIPT, ...args ], { env, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const { code, stdout, stderr } = err as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

describe('test/app/service/staff_create.test.ts', () => {
  it('should create an account the login accepts, then update, disable and enable it', async () => {
    const created = await staffCreate([ '--username', 'Carol', '--role', 'operator' ], 'carol-password');
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), 'created operator carol');
    assert.deepEqual((await staffLogin(app, 'carol', 'carol-password').expect(200)).body.staff, { username: 'carol', role: 'operator' });

    // a STAFF_PASSWORD left in the shell changes nothing without --password
    const disabled = await staffCreate([ '--username', 'carol', '--role', 'viewer', '--disable' ], 'lingering-password');
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.equal(disabled.stdout.trim(), 'updated carol: viewer, disabled');
    await staffLogin(app, 'carol', 'carol-password').expect(401);

    // --password, but no STAFF_PASSWORD and no terminal: the password is kept
    const enabled = await staffCreate([ '--username=carol', '--enable', '--password' ]);
    assert.equal(enabled.code, 0, enabled.stderr);
    assert.equal(enabled.stdout.trim(), 'updated carol: viewer, enabled');
    assert.deepEqual((await staffLogin(app, 'carol', 'carol-password').expect(200)).body.staff, { username: 'carol', role: 'viewer' });

    const changed = await staffCreate([ '--username', 'carol', '--password' ], 'new-carol-password');
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal(changed.stdout.trim(), 'updated carol: viewer, enabled, new password');
    await staffLogin(app, 'carol', 'carol-password').expect(401);
    await staffLogin(app, 'carol', 'new-carol-password').expect(200);
    assert.equal(await app.model.Staff.count(), 1);
    assert.doesNotMatch(created.stdout + disabled.stdout + changed.stdout, /password-?[a-z]*password/);
  });

  it('should create a disabled account when asked to', async () => {
    const res = await staffCreate([ '--username', 'dan', '--role', 'viewer', '--disable' ], 'dan-password');
    assert.equal(res.code, 0, res.stderr);
    assert.equal((await app.model.Staff.findOne({ where: { username: 'dan' } }))!.disabled, true);
    await staffLogin(app, 'dan', 'dan-password').expect(401);
  });

  const refusals: Array<[string, string[], string | undefined, RegExp]> = [
    [ 'a password shorter than 8', [ '--username', 'eve', '--role', 'viewer' ], 'short', /at least 8/ ],
    [ 'a new account without a password', [ '--username', 'eve', '--role', 'viewer' ], undefined, /STAFF_PASSWORD/ ],
    [ 'a new account without a role', [ '--username', 'eve' ], 'eve-password', /--role is required/ ],
    [ 'an unknown role', [ '--username', 'eve', '--role', 'admin' ], 'eve-password', /--role must be one of operator, viewer/ ],
    [ 'a bad username', [ '--username', 'eve smith', '--role', 'viewer' ], 'eve-password', /--username must be/ ],
    [ 'no username', [ '--role', 'viewer' ], 'eve-password', /--username is required/ ],
    [ '--disable with --enable', [ '--username', 'eve', '--disable', '--enable' ], 'eve-password', /not both/ ],
    [ 'an unknown argument', [ '--username', 'eve', '--role', 'viewer', '--admin' ], 'eve-password', /unknown argument --admin/ ],
  ];
  refusals.forEach(([ name, args, password, message ]) => {
    it(`should refuse ${name} and change nothing`, async () => {
      const res = await staffCreate(args, password);
      assert.equal(res.code, 2);
      assert.match(res.stderr, message);
      assert.match(res.stderr, /usage: npm run staff:create/);
      assert.equal(await app.model.Staff.count(), 0);
    });
  });
});
