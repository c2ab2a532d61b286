import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { issueAuthToken, verifyAuthToken } from '../../app/lib/auth-token';

const SECRET = 'test-secret-test-secret-test-secret';

describe('test/lib/auth-token.test.ts', () => {
  it('should issue an HS256 token with sub, iat and exp in seconds', () => {
    const { token, expiresIn } = issueAuthToken(42, SECRET, 7200);
    assert.equal(expiresIn, 7200);
    const decoded = jwt.decode(token, { complete: true })!;
    assert.equal(decoded.header.alg, 'HS256');
    const payload = decoded.payload as jwt.JwtPayload;
    assert.equal(payload.sub, '42');
    assert.equal(payload.exp! - payload.iat!, 7200);
    assert.equal(verifyAuthToken(token, SECRET), 42);
  });

  it('should refuse forged, expired, unsigned and malformed tokens', () => {
    const { token } = issueAuthToken(42, SECRET, 60);
    assert.equal(verifyAuthToken(token, 'another-secret'), null);
    assert.equal(verifyAuthToken(`${token}x`, SECRET), null);
    const expired = jwt.sign({ sub: '42', exp: Math.floor(Date.now() / 1000) - 1 }, SECRET);
    assert.equal(verifyAuthToken(expired, SECRET), null);
    const unsigned = jwt.sign({ sub: '42' }, '', { algorithm: 'none' });
    assert.equal(verifyAuthToken(unsigned, SECRET), null);
    assert.equal(verifyAuthToken(jwt.sign({ sub: 'admin' }, SECRET), SECRET), null);
    assert.equal(verifyAuthToken(jwt.sign({}, SECRET), SECRET), null);
    assert.equal(verifyAuthToken('not-a-jwt', SECRET), null);
  });
});
