import assert from 'node:assert/strict';
import { isStaffRole, isValidUsername, normalizeUsername, roleAllows } from '../../app/lib/staff-account';
import { InvalidRequestError } from '../../app/lib/api-error';
import { parseStaffCredentials } from '../../app/lib/staff-login-input';

describe('test/lib/staff-account.test.ts', () => {
  it('should let an operator do what a viewer may, and not the other way round', () => {
    assert.equal(roleAllows('operator', 'operator'), true);
    assert.equal(roleAllows('operator', 'viewer'), true);
    assert.equal(roleAllows('viewer', 'viewer'), true);
    assert.equal(roleAllows('viewer', 'operator'), false);
    assert.equal(roleAllows('admin' as any, 'viewer'), false);
  });

  it('should compare usernames trimmed and in lower case', () => {
    assert.equal(normalizeUsername('  Alice@Shop '), 'alice@shop');
    assert.equal(isValidUsername('alice.w-1_x@shop'), true);
    for (const bad of [ '', 'Alice', 'a b', '-alice', 'x'.repeat(65), 'al\u00efce' ]) assert.equal(isValidUsername(bad), false, bad);
    assert.equal(isStaffRole('viewer'), true);
    assert.equal(isStaffRole('admin'), false);
  });

  it('should take a login body of two strings and refuse anything else with 400', () => {
    assert.deepEqual(parseStaffCredentials({ username: ' Alice ', password: 'pw' }), { username: 'alice', password: 'pw' });
    const codeOf = (body: unknown) => {
      try {
        parseStaffCredentials(body);
      } catch (err) {
        assert.ok(err instanceof InvalidRequestError);
        return err.code;
      }
      return 'OK';
    };
    assert.equal(codeOf(undefined), 'USERNAME_REQUIRED');
    assert.equal(codeOf({ password: 'pw' }), 'USERNAME_REQUIRED');
    assert.equal(codeOf({ username: 42, password: 'pw' }), 'USERNAME_REQUIRED');
    assert.equal(codeOf({ username: '   ', password: 'pw' }), 'USERNAME_REQUIRED');
    assert.equal(codeOf({ username: 'x'.repeat(65), password: 'pw' }), 'USERNAME_REQUIRED');
    assert.equal(codeOf({ username: 'alice' }), 'PASSWORD_REQUIRED');
    assert.equal(codeOf({ username: 'alice', password: [ 'pw' ] }), 'PASSWORD_REQUIRED');
    assert.equal(codeOf({ username: 'alice', password: '' }), 'PASSWORD_REQUIRED');
    assert.equal(codeOf({ username: 'alice', password: 'x'.repeat(1025) }), 'PASSWORD_REQUIRED');
  });
});
