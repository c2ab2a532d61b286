import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { issueAuthToken, verifyAuthToken } from '../../app/lib/auth-token';
import { issueStaffToken, verifyStaffToken } from '../../app/lib/staff-token';

const SECRET = 'test-secret-test-secret-test-secret';
const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s;

describe('test/lib/staff-token.test.ts', () => {
  it('should issue an HS256 token with aud "staff", the username as sub and the role', () => {
    const { token, expiresIn } = issueStaffToken({ username: 'alice', role: 'viewer' }, SECRET, 28800);
    assert.equal(expiresIn, 28800);
    const decoded = jwt.decode(token, { complete: true })!;
    assert.equal(decoded.header.alg, 'HS256');
    const payload = decoded.payload as jwt.JwtPayload;
    assert.equal(payload.aud, 'staff');
    assert.equal(payload.sub, 'alice');
    assert.equal(payload.role, 'viewer');
    assert.equal(payload.exp! - payload.iat!, 28800);
    assert.deepEqual(verifyStaffToken(token, SECRET), { username: 'alice', role: 'viewer' });
  });

  it('should keep customer and staff tokens apart both ways', () => {
    const customer = issueAuthToken(42, SECRET, 60).token;
    const staff = issueStaffToken({ username: 'alice', role: 'operator' }, SECRET, 60).token;
    assert.equal((jwt.decode(customer) as jwt.JwtPayload).aud, 'customer');
    assert.equal(verifyStaffToken(customer, SECRET), null);
    assert.equal(verifyAuthToken(staff, SECRET), null);
    // a staff token whose sub happens to look like a user id is still no customer token
    const numeric = jwt.sign({ role: 'operator' }, SECRET, { audience: 'staff', subject: '42', expiresIn: 60 });
    assert.equal(verifyAuthToken(numeric, SECRET), null);
    assert.equal(verifyAuthToken(jwt.sign({ sub: '42', aud: [ 'customer', 'staff' ], exp: inSeconds(60) }, SECRET), SECRET), null);
  });

  it('should still accept customer tokens issued before they had an audience', () => {
    assert.equal(verifyAuthToken(jwt.sign({ sub: '42', exp: inSeconds(60) }, SECRET), SECRET), 42);
  });

  it('should refuse tokens without exp, expired, forged, or with a bad role or audience', () => {
    const claims = { sub: 'alice', aud: 'staff', role: 'operator' };
    assert.deepEqual(verifyStaffToken(jwt.sign({ ...claims, exp: inSeconds(60) }, SECRET), SECRET), { username: 'alice', role: 'operator' });
    assert.equal(verifyStaffToken(jwt.sign(claims, SECRET), SECRET), null);
    assert.equal(verifyAuthToken(jwt.sign({ sub: '42', aud: 'customer' }, SECRET), SECRET), null);
    assert.equal(verifyStaffToken(jwt.sign({ ...claims, exp: inSeconds(-1) }, SECRET), SECRET), null);
    assert.equal(verifyStaffToken(jwt.sign({ ...claims, exp: inSeconds(60) }, 'another-secret'), SECRET), null);
    assert.equal(verifyStaffToken(jwt.sign({ ...claims, role: 'admin', exp: inSeconds(60) }, SECRET), SECRET), null);
    assert.equal(verifyStaffToken(jwt.sign({ ...claims, aud: [ 'staff' ], exp: inSeconds(60) }, SECRET), SECRET), null);
    assert.equal(verifyStaffToken(jwt.sign({ ...claims, sub: 'Not A Username', exp: inSeconds(60) }, SECRET), SECRET), null);
    assert.equal(verifyStaffToken(jwt.sign({ ...claims, exp: inSeconds(60) }, '', { algorithm: 'none' }), SECRET), null);
    assert.equal(verifyStaffToken('not-a-jwt', SECRET), null);
  });
});
