import assert from 'node:assert/strict';
import { app, mock } from 'egg-mock/bootstrap';
import { verifyStaffToken } from '../../../app/lib/staff-token';
import { createStaff, staffLogin, STAFF_PASSWORD } from '../staff-accounts';

const MINUTE = 60_000;

describe('test/app/controller/admin_login.test.ts', () => {
  afterEach(() => mock.restore());

  /** Failed logins written straight into the lock-out's table, `agoMs` in the past. */
  async function pastFailures(username: string, ...agoMs: number[]) {
    const now = Date.now();
    await app.model.StaffLoginFailure.bulkCreate(agoMs.map(ago => ({ username, failedAt: new Date(now - ago) })));
  }

  async function failuresOf(username: string) {
    return app.model.StaffLoginFailure.count({ where: { username } });
  }

  describe('POST /admin/api/login', () => {
    it('should answer a staff token, its lifetime and who signed in', async () => {
      await createStaff(app, 'alice', { role: 'operator' });
      const res = await staffLogin(app, 'alice').expect(200);
      assert.deepEqual(Object.keys(res.body).sort(), [ 'expiresIn', 'staff', 'token' ]);
      assert.equal(res.body.expiresIn, 28800);
      assert.deepEqual(res.body.staff, { username: 'alice', role: 'operator' });
      assert.deepEqual(verifyStaffToken(res.body.token, app.config.auth.tokenSecret), { username: 'alice', role: 'operator' });
      assert.equal(await failuresOf('alice'), 0);
    });

    it('should take the username in any case and with surrounding spaces', async () => {
      await createStaff(app, 'alice');
      const res = await staffLogin(app, '  ALICE ').expect(200);
      assert.equal(res.body.staff.username, 'alice');
    });

    it('should answer the same 401 for a wrong password, an unknown user and a disabled account', async () => {
      await createStaff(app, 'alice');
      await createStaff(app, 'bob', { disabled: true });
      const replies = [
        await staffLogin(app, 'alice', 'wrong-password').expect(401),
        await staffLogin(app, 'nobody').expect(401),
        await staffLogin(app, 'bob').expect(401),
        await staffLogin(app, 'Not A Username!').expect(401),
      ];
      for (const res of replies) {
        assert.deepEqual(res.body, replies[0].body);
        assert.equal(res.body.code, 'INVALID_CREDENTIALS');
        assert.equal(res.headers['retry-after'], undefined);
      }
    });

    it('should never log or return a password or its hash', async () => {
      const account = await createStaff(app, 'alice');
      const logged: string[] = [];
      for (const method of [ 'info', 'warn', 'error', 'debug' ] as const) {
        mock(app.logger, method, (...args: unknown[]) => logged.push(args.map(String).join(' ')));
      }
      const ok = await staffLogin(app, 'alice').expect(200);
      const refused = await staffLogin(app, 'alice', 'a-wrong-password').expect(401);
      assert.ok(logged.some(line => line.includes('alice')), 'logins are logged');
      const seen = [ ...logged, ok.text, refused.text ].join('\n');
      for (const secret of [ STAFF_PASSWORD, 'a-wrong-password', account.passwordHash, account.passwordHash.split('$')[5] ]) {
        assert.equal(seen.includes(secret), false, secret);
      }
    });

    it('should answer 400 for a missing or non-string username or password', async () => {
      await createStaff(app, 'alice');
      const bodies: Array<[object, string]> = [
        [{}, 'USERNAME_REQUIRED' ],
        [{ password: STAFF_PASSWORD }, 'USERNAME_REQUIRED' ],
        [{ username: 7, password: STAFF_PASSWORD }, 'USERNAME_REQUIRED' ],
        [{ username: 'alice' }, 'PASSWORD_REQUIRED' ],
        [{ username: 'alice', password: 12345678 }, 'PASSWORD_REQUIRED' ],
        [{ username: 'alice', password: null }, 'PASSWORD_REQUIRED' ],
      ];
      for (const [ body, code ] of bodies) {
        const res = await app.httpRequest().post('/admin/api/login').send(body)
          .expect(400);
        assert.equal(res.body.code, code);
      }
      assert.equal(await app.model.StaffLoginFailure.count(), 0);
    });
  });

  describe('lock-out', () => {
    it('should answer 429 with Retry-After after five failures, right password included', async () => {
      await createStaff(app, 'alice');
      for (let i = 0; i < 5; i++) await staffLogin(app, 'alice', `wrong-${i}`).expect(401);
      for (const password of [ 'wrong-5', STAFF_PASSWORD ]) {
        const res = await staffLogin(app, 'alice', password).expect(429);
        assert.equal(res.body.code, 'TOO_MANY_ATTEMPTS');
        const retryAfter = Number(res.headers['retry-after']);
        assert.ok(retryAfter > 890 && retryAfter <= 900, `Retry-After ${retryAfter}`);
      }
      // refused attempts are not failures: they do not stretch the lock-out
      assert.equal(await failuresOf('alice'), 5);
    });

    it('should lock unknown usernames alike and leave other usernames alone', async () => {
      await createStaff(app, 'alice');
      for (let i = 0; i < 5; i++) await staffLogin(app, 'ghost').expect(401);
      assert.equal((await staffLogin(app, 'ghost').expect(429)).body.code, 'TOO_MANY_ATTEMPTS');
      // one lock-out per username whatever its case
      await staffLogin(app, 'GHOST').expect(429);
      await staffLogin(app, 'alice').expect(200);
    });

    it('should count Retry-After until the oldest counted failure leaves the window', async () => {
      await createStaff(app, 'alice');
      await pastFailures('alice', 10 * MINUTE, 3 * MINUTE, 2 * MINUTE, MINUTE, 1000);
      const res = await staffLogin(app, 'alice').expect(429);
      const retryAfter = Number(res.headers['retry-after']);
      assert.ok(retryAfter > 295 && retryAfter <= 300, `Retry-After ${retryAfter}`);
    });

    it('should let the right password in again once the window has passed', async () => {
      await createStaff(app, 'alice');
      await pastFailures('alice', 15 * MINUTE + 1000, 14 * MINUTE, 14 * MINUTE, 14 * MINUTE, 14 * MINUTE);
      // four failures within the window: one more guess is allowed, and fails
      await staffLogin(app, 'alice', 'wrong').expect(401);
      await staffLogin(app, 'alice').expect(429);
      // the same five, moved past the window
      await app.model.StaffLoginFailure.update({ failedAt: new Date(Date.now() - 15 * MINUTE - 1000) }, { where: { username: 'alice' } });
      await staffLogin(app, 'alice').expect(200);
    });

    it('should keep counting failures across a successful login', async () => {
      await createStaff(app, 'alice');
      for (let i = 0; i < 4; i++) await staffLogin(app, 'alice', 'wrong').expect(401);
      await staffLogin(app, 'alice').expect(200);
      assert.equal(await failuresOf('alice'), 4);
      await staffLogin(app, 'alice', 'wrong').expect(401);
      await staffLogin(app, 'alice').expect(429);
    });

    it('should check no more than five passwords of a concurrent burst', async () => {
      await createStaff(app, 'alice');
      const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => staffLogin(app, 'alice', `guess-${i}`)));
      const statuses = replies.map(res => res.status);
      assert.ok(statuses.every(status => status === 401 || status === 429), statuses.join());
      // every checked guess is a failure that counts; the others were refused unchecked
      const checked = statuses.filter(status => status === 401).length;
      assert.ok(checked <= 5, statuses.join());
      assert.equal(await failuresOf('alice'), checked);
      for (let i = checked; i < 5; i++) await staffLogin(app, 'alice', 'wrong').expect(401);
      await staffLogin(app, 'alice').expect(429);
    });

    it('should drop failures that left the window, whatever their username', async () => {
      await pastFailures('old-guess', 16 * MINUTE, 60 * MINUTE);
      await pastFailures('recent-guess', MINUTE);
      await staffLogin(app, 'someone', 'wrong').expect(401);
      assert.equal(await failuresOf('old-guess'), 0);
      assert.equal(await failuresOf('recent-guess'), 1);
      assert.equal(await failuresOf('someone'), 1);
    });
  });
});
