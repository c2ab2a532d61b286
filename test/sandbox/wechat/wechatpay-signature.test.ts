import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { rsaSha256Verify } from '../../../sandbox/wechat/rsa';
import { v3ResponseMessage } from '../../../sandbox/wechat/v3-message';
import { wechatpaySignatureHeaders } from '../../../sandbox/wechat/wechatpay-signature';
import { SHA256_WITH_RSA } from '../../fixtures/wechatpay-vectors';

describe('test/sandbox/wechat/wechatpay-signature.test.ts', () => {
  const privateKey = createPrivateKey(SHA256_WITH_RSA.privateKeyPem);
  const publicKey = createPublicKey(privateKey);
  const body = '{"id":"EV-2018022511223320873"}';

  it('should give the four Wechatpay-* headers, signed over timestamp, nonce and body', () => {
    const headers = wechatpaySignatureHeaders(body, privateKey, 'PUB_KEY_ID_01', '1554209980', 'c5ac7061fccab6bf3e254dcf98995b8c');
    assert.deepEqual(Object.keys(headers).sort(), [ 'Wechatpay-Nonce', 'Wechatpay-Serial', 'Wechatpay-Signature', 'Wechatpay-Timestamp' ]);
    assert.equal(headers['Wechatpay-Timestamp'], '1554209980');
    assert.equal(headers['Wechatpay-Nonce'], 'c5ac7061fccab6bf3e254dcf98995b8c');
    assert.equal(headers['Wechatpay-Serial'], 'PUB_KEY_ID_01');
    const message = v3ResponseMessage('1554209980', 'c5ac7061fccab6bf3e254dcf98995b8c', body);
    assert.equal(rsaSha256Verify(message, headers['Wechatpay-Signature'], publicKey), true);
  });

  it('should default to the current time and a fresh 32-character nonce', () => {
    const headers = wechatpaySignatureHeaders(body, privateKey, 'S');
    assert.ok(Math.abs(Number(headers['Wechatpay-Timestamp']) - Date.now() / 1000) < 5);
    assert.match(headers['Wechatpay-Nonce'], /^[0-9a-f]{32}$/);
    assert.notEqual(wechatpaySignatureHeaders(body, privateKey, 'S')['Wechatpay-Nonce'], headers['Wechatpay-Nonce']);
  });
});
