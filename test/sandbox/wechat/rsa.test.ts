import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { rsaSha256Sign, rsaSha256Verify } from '../../../sandbox/wechat/rsa';
import { SHA256_WITH_RSA } from '../../fixtures/wechatpay-vectors';

describe('test/sandbox/wechat/rsa.test.ts', () => {
  const privateKey = createPrivateKey(SHA256_WITH_RSA.privateKeyPem);
  const publicKey = createPublicKey(privateKey);

  it('should sign the wechatpay-go vector to exactly its published signature', () => {
    assert.equal(rsaSha256Sign(SHA256_WITH_RSA.message, privateKey), SHA256_WITH_RSA.signature);
    assert.equal(rsaSha256Sign(SHA256_WITH_RSA.message, SHA256_WITH_RSA.privateKeyPem), SHA256_WITH_RSA.signature);
  });

  it('should verify the published signature and refuse it over another message or key', () => {
    assert.equal(rsaSha256Verify(SHA256_WITH_RSA.message, SHA256_WITH_RSA.signature, publicKey), true);
    assert.equal(rsaSha256Verify('sources', SHA256_WITH_RSA.signature, publicKey), false);
    const { publicKey: stranger } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    assert.equal(rsaSha256Verify(SHA256_WITH_RSA.message, SHA256_WITH_RSA.signature, stranger), false);
  });

  it('should answer false, not throw, for malformed signatures', () => {
    for (const signature of [ '', 'not base64!', 'AAAA', Buffer.alloc(300).toString('base64') ]) {
      assert.equal(rsaSha256Verify(SHA256_WITH_RSA.message, signature, publicKey), false, signature);
    }
  });
});
