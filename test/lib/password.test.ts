import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { DEFAULT_PARAMS, DUMMY_PASSWORD_HASH, hashPassword, parsePasswordHash, verifyPassword } from '../../app/lib/password';

// Made once with hashPassword('correct horse battery staple', { N: 1024 }) and
// pasted here: a change of format or encoding that would lock every existing
// account out fails this test.
const FIXTURE = 'scrypt$1024$8$1$LoM3ilXWwvROiyglj0ULNw==$nAB0zXnrWEPvLFOBVCkyjEdMN1CEOhyH2unlnAX/IsI=';
const FIXTURE_PASSWORD = 'correct horse battery staple';
const CHEAP = { N: 1024 };

describe('test/lib/password.test.ts', () => {
  it('should verify a hash made by an earlier version of the code', async () => {
    assert.equal(await verifyPassword(FIXTURE_PASSWORD, FIXTURE), true);
    assert.equal(await verifyPassword('correct horse battery stapler', FIXTURE), false);
    assert.equal(await verifyPassword('', FIXTURE), false);
  });

  it('should be plain scrypt of the password with the stored salt, in base64', () => {
    const [ , N, r, p, salt, hash ] = FIXTURE.split('$');
    const key = scryptSync(FIXTURE_PASSWORD, Buffer.from(salt, 'base64'), 32, { N: Number(N), r: Number(r), p: Number(p) });
    assert.equal(key.toString('base64'), hash);
  });

  it('should store the default parameters and a fresh salt with each hash', async () => {
    const hash = await hashPassword('s3cret-password');
    assert.match(hash, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual({ ...DEFAULT_PARAMS }, { N: 32768, r: 8, p: 1 });
    assert.equal(await verifyPassword('s3cret-password', hash), true);
    const again = await hashPassword('s3cret-password', CHEAP);
    assert.notEqual(parsePasswordHash(again)!.salt.toString('base64'), parsePasswordHash(hash)!.salt.toString('base64'));
  });

  it('should make the dummy hash as costly as a real one', () => {
    const dummy = parsePasswordHash(DUMMY_PASSWORD_HASH)!;
    assert.deepEqual({ N: dummy.N, r: dummy.r, p: dummy.p }, { ...DEFAULT_PARAMS });
    assert.equal(dummy.key.length, 32);
  });

  it('should compare Unicode passwords in one normal form', async () => {
    const hash = await hashPassword('caf\u00e9-password', CHEAP);
    assert.equal(await verifyPassword('cafe\u0301-password', hash), true);
  });

  it('should answer false, not throw, for malformed or out-of-range hashes', async () => {
    const [ , , , , salt, key ] = FIXTURE.split('$');
    for (const stored of [
      '', 'plain-text', FIXTURE.replace('scrypt$', 'bcrypt$'), FIXTURE.replace('$1024$', '$1000$'),
      `scrypt$${2 ** 21}$8$1$${salt}$${key}`, `scrypt$1024$0$1$${salt}$${key}`, `scrypt$1024$8$99$${salt}$${key}`,
      `scrypt$1024$8$1$!!$${key}`, `scrypt$1024$8$1$${salt}$`, `${FIXTURE}$extra`,
    ]) {
      assert.equal(await verifyPassword(FIXTURE_PASSWORD, stored), false, stored);
    }
    await assert.rejects(hashPassword('x', { N: 1000 }), /out of range/);
  });
});
