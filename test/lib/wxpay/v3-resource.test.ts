import assert from 'node:assert/strict';
import {
  decryptResource,
  EncryptedResource,
  ResourceDecryptError,
  ResourceDecryptErrorCode,
} from '../../../app/lib/wxpay/v3-resource';
// Resources are sealed as WeChat seals them, by the simulator's own WeChat-side code.
import { sealResource } from '../../../sandbox/wechat/aes-gcm';
import { AES_256_GCM } from '../../fixtures/wechatpay-vectors';
import { TEST_API_V3_KEY } from './v3-fixtures';

const NONCE = 'fdasflkja484';
const ASSOCIATED_DATA = 'transaction';
const TRANSACTION = JSON.stringify({
  mchid: '1230000109',
  appid: 'wxd678efh567hg6787',
  out_trade_no: '1217752501201407033233368018',
  transaction_id: '1217752501201407033233368018',
  trade_state: 'SUCCESS',
  attach: '自定义数据',
  amount: { total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' },
});

/** Asserts that a call throws ResourceDecryptError with the given code. */
function assertDecryptError(fn: () => unknown, code: ResourceDecryptErrorCode): ResourceDecryptError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ResourceDecryptError, `expected ResourceDecryptError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code);
  return caught;
}

/** Changes one byte of the decoded ciphertext at the given offset (negative counts from the end). */
function corruptByte(ciphertext: string, offset: number): string {
  const bytes = Buffer.from(ciphertext, 'base64');
  const index = offset < 0 ? bytes.length + offset : offset;
  bytes[index] = (bytes[index] + 1) % 256;
  return bytes.toString('base64');
}

describe('test/lib/wxpay/v3-resource.test.ts', () => {
  // Encryption is cheap and deterministic, so one sealed resource is shared by every case.
  const sealed = sealResource(TRANSACTION, TEST_API_V3_KEY, NONCE, ASSOCIATED_DATA);

  it('should decrypt the wechatpay-java AeadAesCipherTest vector', () => {
    const { apiV3Key, nonce, associatedData, plaintext, ciphertext } = AES_256_GCM;
    const resource = { algorithm: 'AEAD_AES_256_GCM', ciphertext, nonce, associated_data: associatedData };
    assert.equal(decryptResource(resource, apiV3Key), plaintext);
    assertDecryptError(() => decryptResource({ ...resource, associated_data: 'transaction' }, apiV3Key), 'TAG_MISMATCH');
  });

  it('should decrypt the NIST GCM test case 14 vector (AES-256, zero key and IV, no AAD)', () => {
    // Key, IV and plaintext are all zero bytes; NUL characters are valid one-byte UTF-8, so they fit the string API.
    // Ciphertext cea7403d4d606b6e074ec5d3baf39d18 followed by tag d0d1c8a799996bf0265b98b5d48ab919.
    const ciphertextAndTag = Buffer.from('cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919', 'hex');
    const plaintext = decryptResource({
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: ciphertextAndTag.toString('base64'),
      nonce: '\0'.repeat(12),
    }, '\0'.repeat(32));
    assert.equal(plaintext, '\0'.repeat(16));
  });

  it('should round-trip a notify resource with associated data and UTF-8 text', () => {
    assert.equal(sealed.algorithm, 'AEAD_AES_256_GCM');
    assert.equal(sealed.nonce, NONCE);
    assert.equal(sealed.associated_data, ASSOCIATED_DATA);
    assert.equal(Buffer.from(sealed.ciphertext, 'base64').length, Buffer.byteLength(TRANSACTION) + 16);
    assert.equal(decryptResource({ ...sealed, original_type: 'transaction' }, TEST_API_V3_KEY), TRANSACTION);
  });

  it('should treat empty and absent associated_data alike', () => {
    const resource = sealResource('certificate pem', TEST_API_V3_KEY, NONCE, '');
    assert.equal(decryptResource(resource, TEST_API_V3_KEY), 'certificate pem');
    const { associated_data: _unused, ...withoutAad } = resource as EncryptedResource;
    assert.equal(_unused, '');
    assert.equal(decryptResource(withoutAad, TEST_API_V3_KEY), 'certificate pem');
  });

  it('should fail TAG_MISMATCH with a wrong key of the right length', () => {
    assertDecryptError(() => decryptResource(sealed, TEST_API_V3_KEY.replace('T', 'U')), 'TAG_MISMATCH');
  });

  it('should fail TAG_MISMATCH when the ciphertext or the tag is tampered with', () => {
    assertDecryptError(() => decryptResource({ ...sealed, ciphertext: corruptByte(sealed.ciphertext, 0) }, TEST_API_V3_KEY), 'TAG_MISMATCH');
    assertDecryptError(() => decryptResource({ ...sealed, ciphertext: corruptByte(sealed.ciphertext, -1) }, TEST_API_V3_KEY), 'TAG_MISMATCH');
  });

  it('should fail TAG_MISMATCH when associated_data is changed, emptied or removed', () => {
    assertDecryptError(() => decryptResource({ ...sealed, associated_data: 'certificate' }, TEST_API_V3_KEY), 'TAG_MISMATCH');
    assertDecryptError(() => decryptResource({ ...sealed, associated_data: '' }, TEST_API_V3_KEY), 'TAG_MISMATCH');
    assertDecryptError(() => decryptResource({ ...sealed, associated_data: undefined }, TEST_API_V3_KEY), 'TAG_MISMATCH');
  });

  it('should fail TAG_MISMATCH when the nonce is changed', () => {
    assertDecryptError(() => decryptResource({ ...sealed, nonce: 'fdasflkja485' }, TEST_API_V3_KEY), 'TAG_MISMATCH');
  });

  it('should fail KEY_INVALID for keys that are not 32 bytes, without echoing the key', () => {
    for (const key of [ '', 'short', TEST_API_V3_KEY + 'x', TEST_API_V3_KEY.slice(0, 31), '密'.repeat(32) ]) {
      const err = assertDecryptError(() => decryptResource(sealed, key), 'KEY_INVALID');
      assert.ok(key === '' || !err.message.includes(key));
    }
  });

  it('should fail NONCE_INVALID for nonces that are not 12 bytes', () => {
    for (const nonce of [ '', 'fdasflkja48', 'fdasflkja4845', '随机数随机数随机数随机数' ]) {
      assertDecryptError(() => decryptResource({ ...sealed, nonce }, TEST_API_V3_KEY), 'NONCE_INVALID');
    }
  });

  it('should fail CIPHERTEXT_INVALID for 16 bytes or less (tag only) and for non-base64', () => {
    for (const length of [ 0, 1, 16 ]) {
      const ciphertext = Buffer.alloc(length).toString('base64');
      assertDecryptError(() => decryptResource({ ...sealed, ciphertext }, TEST_API_V3_KEY), 'CIPHERTEXT_INVALID');
    }
    assertDecryptError(() => decryptResource({ ...sealed, ciphertext: 'not*base64*at*all!!' }, TEST_API_V3_KEY), 'CIPHERTEXT_INVALID');
    assertDecryptError(() => decryptResource({ ...sealed, ciphertext: sealed.ciphertext.slice(1) }, TEST_API_V3_KEY),
      'CIPHERTEXT_INVALID');
  });

  it('should accept the shortest legal ciphertext (1 byte plus tag)', () => {
    const resource = sealResource('x', TEST_API_V3_KEY, NONCE, ASSOCIATED_DATA);
    assert.equal(Buffer.from(resource.ciphertext, 'base64').length, 17);
    assert.equal(decryptResource(resource, TEST_API_V3_KEY), 'x');
  });

  it('should fail ALGORITHM_UNSUPPORTED for any other algorithm name', () => {
    for (const algorithm of [ 'AEAD_AES_128_GCM', 'aead_aes_256_gcm', 'AES-256-GCM', '' ]) {
      assertDecryptError(() => decryptResource({ ...sealed, algorithm }, TEST_API_V3_KEY), 'ALGORITHM_UNSUPPORTED');
    }
  });

  it('should fail RESOURCE_INVALID for a missing or malformed resource', () => {
    const malformed: unknown[] = [
      null,
      undefined,
      'resource',
      {},
      { ...sealed, ciphertext: 123 },
      { ...sealed, nonce: undefined },
      { ...sealed, algorithm: undefined },
      { ...sealed, associated_data: 42 },
    ];
    for (const resource of malformed) {
      assertDecryptError(() => decryptResource(resource as EncryptedResource, TEST_API_V3_KEY), 'RESOURCE_INVALID');
    }
  });

  it('should check the algorithm before the key and the key before the nonce', () => {
    assertDecryptError(() => decryptResource({ ...sealed, algorithm: 'X', nonce: '' }, 'short'), 'ALGORITHM_UNSUPPORTED');
    assertDecryptError(() => decryptResource({ ...sealed, nonce: '' }, 'short'), 'KEY_INVALID');
  });
});
