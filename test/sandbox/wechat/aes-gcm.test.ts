import assert from 'node:assert/strict';
import { AEAD_AES_256_GCM, aesGcmDecrypt, aesGcmEncrypt, sealResource } from '../../../sandbox/wechat/aes-gcm';
import { AES_256_GCM } from '../../fixtures/wechatpay-vectors';

const { apiV3Key, nonce, associatedData, plaintext, ciphertext } = AES_256_GCM;

describe('test/sandbox/wechat/aes-gcm.test.ts', () => {
  it('should encrypt the wechatpay-java vector to its published ciphertext', () => {
    assert.equal(aesGcmEncrypt(plaintext, apiV3Key, nonce, associatedData), ciphertext);
  });

  it('should decrypt the published ciphertext', () => {
    assert.equal(aesGcmDecrypt(ciphertext, apiV3Key, nonce, associatedData), plaintext);
  });

  it('should encrypt NIST GCM test case 14 (zero key and IV, no AAD) to its ciphertext and tag', () => {
    const sealed = aesGcmEncrypt('\0'.repeat(16), '\0'.repeat(32), '\0'.repeat(12), '');
    assert.equal(Buffer.from(sealed, 'base64').toString('hex'),
      'cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919');
  });

  it('should refuse to decrypt with another key, nonce or associated data', () => {
    assert.throws(() => aesGcmDecrypt(ciphertext, apiV3Key.replace('a', 'b'), nonce, associatedData));
    assert.throws(() => aesGcmDecrypt(ciphertext, apiV3Key, 'uluk4a9R25RX', associatedData));
    assert.throws(() => aesGcmDecrypt(ciphertext, apiV3Key, nonce, 'transaction'));
  });

  it('should refuse a key that is not 32 bytes or a nonce that is not 12', () => {
    assert.throws(() => aesGcmEncrypt(plaintext, 'short', nonce, ''), RangeError);
    assert.throws(() => aesGcmEncrypt(plaintext, apiV3Key, 'short', ''), RangeError);
  });

  it('should seal a resource in the shape WeChat sends', () => {
    assert.deepEqual(sealResource(plaintext, apiV3Key, nonce, associatedData), {
      algorithm: AEAD_AES_256_GCM,
      ciphertext,
      nonce,
      associated_data: associatedData,
    });
  });
});
