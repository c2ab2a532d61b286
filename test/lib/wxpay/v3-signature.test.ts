import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  buildAuthorization,
  buildRequestMessage,
  buildResponseMessage,
  IncomingHeaders,
  MerchantSigner,
  PublicKeyResolver,
  rsaSign,
  rsaVerify,
  verifyWechatpaySignature,
  WechatpayVerifyError,
  WechatpayVerifyErrorCode,
} from '../../../app/lib/wxpay/v3-signature';
// WeChat's side of the exchange (reading the merchant's header, signing replies) is the simulator's own code.
import { rsaSha256Verify } from '../../../sandbox/wechat/rsa';
import { parseMerchantAuthorization } from '../../../sandbox/wechat/v3-authorization';
import { v3RequestMessage } from '../../../sandbox/wechat/v3-message';
import { wechatpaySignatureHeaders } from '../../../sandbox/wechat/wechatpay-signature';
import { SHA256_WITH_RSA } from '../../fixtures/wechatpay-vectors';
import { rsaKeyPair, testTempDir, TestKeyPair } from './v3-fixtures';

const SERIAL = 'PUB_KEY_ID_0112345678902025010100000000000001';
const NOW_SECONDS = 1735689600; // 2025-01-01T00:00:00Z
const NOW_MS = NOW_SECONDS * 1000;
const NOTIFY_BODY = '{"id":"EV-2018022511223320873","create_time":"2025-01-01T08:00:00+08:00","resource_type":"encrypt-resource"}';

/** Lower-cases header names the way Node's IncomingMessage does. */
function asNodeHeaders(headers: Record<string, string>): IncomingHeaders {
  const result: IncomingHeaders = {};
  for (const [ name, value ] of Object.entries(headers)) result[name.toLowerCase()] = value;
  return result;
}

/** Asserts that a call throws WechatpayVerifyError with the given code. */
function assertVerifyError(fn: () => unknown, code: WechatpayVerifyErrorCode): WechatpayVerifyError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof WechatpayVerifyError, `expected WechatpayVerifyError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code);
  return caught;
}

describe('test/lib/wxpay/v3-signature.test.ts', () => {
  let merchant: TestKeyPair;
  let wechat: TestKeyPair;
  let stranger: TestKeyPair;
  let keys: PublicKeyResolver;

  before(() => {
    merchant = rsaKeyPair('merchant');
    wechat = rsaKeyPair('wechat');
    stranger = rsaKeyPair('stranger');
    keys = { get: serial => (serial === SERIAL ? wechat.publicKey : undefined) };
  });

  describe('buildRequestMessage()', () => {
    it('should format a GET with query and an empty body line', () => {
      assert.equal(
        buildRequestMessage('get', '/v3/certificates?algorithm_type=RSA', '1554208460', '593BEC0C930BF1AFEB40B4A08C8FB242', ''),
        'GET\n/v3/certificates?algorithm_type=RSA\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n',
      );
    });

    it('should sign a GET with an empty body even if one is passed', () => {
      assert.equal(
        buildRequestMessage('GET', '/v3/pay/transactions/id/4200000001?mchid=1230000109', '1', 'N', '{"x":1}'),
        'GET\n/v3/pay/transactions/id/4200000001?mchid=1230000109\n1\nN\n\n',
      );
    });

    it('should format a POST with its JSON body', () => {
      const body = '{"appid":"wxd678efh567hg6787","mchid":"1230000109","amount":{"total":100,"currency":"CNY"}}';
      assert.equal(
        buildRequestMessage('post', '/v3/pay/transactions/jsapi', '1554208460', '593BEC0C930BF1AFEB40B4A08C8FB242', body),
        `POST\n/v3/pay/transactions/jsapi\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n${body}\n`,
      );
    });

    it('should reject a full URL instead of a path', () => {
      assert.throws(() => buildRequestMessage('GET', 'https://api.mch.weixin.qq.com/v3/certificates', '1', 'N', ''), TypeError);
    });

    it('should reject a newline in single-line fields', () => {
      assert.throws(() => buildRequestMessage('GET', '/v3/x', '1\n2', 'N', ''), TypeError);
      assert.throws(() => buildRequestMessage('GET', '/v3/x', '1', 'N\n', ''), TypeError);
    });
  });

  describe('buildResponseMessage()', () => {
    it('should format timestamp, nonce and body each followed by a newline', () => {
      assert.equal(buildResponseMessage('1554209980', 'c5ac7061fccab6bf3e254dcf98995b8c', '{"a":1}'),
        '1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n{"a":1}\n');
    });

    it('should keep an empty body as an empty last line', () => {
      assert.equal(buildResponseMessage('1', 'N', ''), '1\nN\n\n');
    });
  });

  describe('rsaSign() / rsaVerify()', () => {
    it('should sign the wechatpay-go vector to exactly its published signature', () => {
      assert.equal(rsaSign(SHA256_WITH_RSA.message, crypto.createPrivateKey(SHA256_WITH_RSA.privateKeyPem)), SHA256_WITH_RSA.signature);
    });

    it('should verify the wechatpay-go signature with the public key derived from its private key', () => {
      const publicKey = crypto.createPublicKey(crypto.createPrivateKey(SHA256_WITH_RSA.privateKeyPem));
      assert.equal(rsaVerify(SHA256_WITH_RSA.message, SHA256_WITH_RSA.signature, publicKey), true);
      assert.equal(rsaVerify(`${SHA256_WITH_RSA.message}\n`, SHA256_WITH_RSA.signature, publicKey), false);
    });

    it('should produce the same PKCS#1 v1.5 signature as openssl dgst -sha256 -sign', () => {
      const dir = testTempDir();
      const keyPath = path.join(dir, 'merchant.key.pem');
      const messagePath = path.join(dir, 'message.txt');
      const message = buildRequestMessage('POST', '/v3/pay/transactions/jsapi', '1554208460', 'ABC', '{"total":1,"desc":"中文"}');
      fs.writeFileSync(keyPath, merchant.privatePem);
      fs.writeFileSync(messagePath, message);
      const expected = execFileSync('openssl', [ 'dgst', '-sha256', '-sign', keyPath, messagePath ]).toString('base64');
      assert.equal(rsaSign(message, merchant.privateKey), expected);
      assert.equal(rsaSign(message, merchant.privatePem), expected);
    });

    it('should verify its own signature with the public key, as KeyObject or PEM', () => {
      const signature = rsaSign('hello\n', merchant.privateKey);
      assert.equal(Buffer.from(signature, 'base64').length, 256);
      assert.equal(rsaVerify('hello\n', signature, merchant.publicKey), true);
      assert.equal(rsaVerify('hello\n', signature, merchant.publicPem), true);
      assert.equal(rsaVerify('hello!\n', signature, merchant.publicKey), false);
      assert.equal(rsaVerify('hello\n', signature, stranger.publicKey), false);
    });

    it('should return false, not throw, for garbage signatures', () => {
      for (const garbage of [ '', '!!!not base64!!!', 'AAAA', 'YWJj', Buffer.alloc(300).toString('base64') ]) {
        assert.equal(rsaVerify('hello\n', garbage, merchant.publicKey), false, garbage);
      }
    });
  });

  describe('buildAuthorization()', () => {
    let signer: MerchantSigner;

    before(() => {
      signer = { mchId: '1900009191', serialNo: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C', privateKey: merchant.privateKey };
    });

    it('should build the header in the documented field order', () => {
      const header = buildAuthorization(signer, 'POST', '/v3/pay/transactions/jsapi', '{"a":1}', '1554208460', '593BEC0C930BF1AFEB40B4A08C8FB242');
      assert.match(header, new RegExp(
        '^WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",' +
        'signature="[A-Za-z0-9+/]{342}==",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"$',
      ));
    });

    it('should carry a signature that verifies over the request message with the merchant public key', () => {
      const body = '{"description":"Image形象店-深圳腾大-QQ公仔"}';
      const header = buildAuthorization(signer, 'post', '/v3/pay/transactions/jsapi', body, '1554208460', 'NONCE123');
      const fields = parseMerchantAuthorization(header);
      assert.ok(fields);
      assert.deepEqual({ ...fields, signature: '' }, {
        mchid: '1900009191', nonce_str: 'NONCE123', signature: '', timestamp: '1554208460',
        serial_no: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C',
      });
      // Checked as WeChat checks it, with the simulator's own message format and RSA.
      const message = v3RequestMessage('POST', '/v3/pay/transactions/jsapi', fields.timestamp, fields.nonce_str, body);
      assert.equal(rsaSha256Verify(message, fields.signature, merchant.publicKey), true);
      assert.equal(rsaSha256Verify(message.replace('QQ', 'qq'), fields.signature, merchant.publicKey), false);
    });

    it('should refuse field values that would break out of their quotes', () => {
      assert.throws(() => buildAuthorization({ ...signer, mchId: '19"00' }, 'GET', '/v3/x', '', '1', 'N'), TypeError);
      assert.throws(() => buildAuthorization(signer, 'GET', '/v3/x', '', '1', 'N\r'), TypeError);
    });
  });

  describe('verifyWechatpaySignature()', () => {
    let signed: Record<string, string>;
    // Helpers keep the per-case closures (some made in loops) from capturing the mutable fixtures directly.
    const nodeHeaders = (): IncomingHeaders => asNodeHeaders(signed);
    const verifyAt = (headers: IncomingHeaders, body = NOTIFY_BODY) => verifyWechatpaySignature({ headers, body, keys, now: NOW_MS });

    before(() => {
      signed = wechatpaySignatureHeaders(NOTIFY_BODY, wechat.privateKey, SERIAL, String(NOW_SECONDS), 'fdasfwqewlkja484w');
    });

    it('should accept a reply signed just now by the WeChat side', () => {
      const headers = wechatpaySignatureHeaders('{}', wechat.privateKey, SERIAL);
      assert.deepEqual(verifyWechatpaySignature({ headers, body: '{}', keys }).serial, SERIAL);
    });

    it('should accept a valid notify with Node lower-cased headers and return serial and timestamp', () => {
      const result = verifyAt(nodeHeaders(), NOTIFY_BODY);
      assert.deepEqual(result, { serial: SERIAL, timestamp: NOW_SECONDS });
    });

    it('should look headers up case-insensitively', () => {
      assert.doesNotThrow(() => verifyAt(signed));
      const shouting: IncomingHeaders = {};
      for (const [ name, value ] of Object.entries(signed)) shouting[name.toUpperCase()] = value;
      assert.doesNotThrow(() => verifyAt(shouting));
    });

    it('should accept a single-element array header value', () => {
      const headers: IncomingHeaders = nodeHeaders();
      headers['wechatpay-nonce'] = [ signed['Wechatpay-Nonce'] ];
      assert.doesNotThrow(() => verifyAt(headers));
    });

    for (const name of [ 'wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial' ]) {
      it(`should fail HEADER_MISSING without ${name}`, () => {
        const headers = nodeHeaders();
        delete headers[name];
        assertVerifyError(() => verifyAt(headers), 'HEADER_MISSING');
      });

      it(`should fail HEADER_MISSING with an empty or repeated ${name}`, () => {
        const empty = { ...nodeHeaders(), [name]: '' };
        assertVerifyError(() => verifyAt(empty), 'HEADER_MISSING');
        const repeated = { ...nodeHeaders(), [name]: [ 'a', 'b' ] };
        assertVerifyError(() => verifyAt(repeated), 'HEADER_MISSING');
      });
    }

    it('should check headers before anything else', () => {
      const headers = { 'wechatpay-timestamp': 'nope', 'wechatpay-serial': 'unknown' };
      assertVerifyError(() => verifyAt(headers), 'HEADER_MISSING');
    });

    for (const timestamp of [ 'abc', '1735689600.5', '-1735689600', ' 1735689600', '1e9', '0x67748580' ]) {
      it(`should fail TIMESTAMP_INVALID for ${JSON.stringify(timestamp)}`, () => {
        const headers = { ...nodeHeaders(), 'wechatpay-timestamp': timestamp };
        assertVerifyError(() => verifyAt(headers), 'TIMESTAMP_INVALID');
      });
    }

    it('should fail TIMESTAMP_EXPIRED when the notify is 301 s old', () => {
      const headers = asNodeHeaders(wechatpaySignatureHeaders(NOTIFY_BODY, wechat.privateKey, SERIAL, String(NOW_SECONDS - 301), 'N1'));
      const err = assertVerifyError(() => verifyAt(headers), 'TIMESTAMP_EXPIRED');
      assert.match(err.message, /301s old/);
    });

    it('should fail TIMESTAMP_EXPIRED when the notify is 301 s in the future', () => {
      const headers = asNodeHeaders(wechatpaySignatureHeaders(NOTIFY_BODY, wechat.privateKey, SERIAL, String(NOW_SECONDS + 301), 'N2'));
      const err = assertVerifyError(() => verifyAt(headers), 'TIMESTAMP_EXPIRED');
      assert.match(err.message, /301s in the future/);
    });

    it('should accept a notify exactly 300 s old or 300 s in the future', () => {
      for (const timestamp of [ NOW_SECONDS - 300, NOW_SECONDS + 300 ]) {
        const headers = asNodeHeaders(wechatpaySignatureHeaders(NOTIFY_BODY, wechat.privateKey, SERIAL, String(timestamp), 'N3'));
        assert.deepEqual(verifyAt(headers), { serial: SERIAL, timestamp });
      }
    });

    it('should honour a custom maxSkewSeconds', () => {
      const headers = asNodeHeaders(wechatpaySignatureHeaders(NOTIFY_BODY, wechat.privateKey, SERIAL, String(NOW_SECONDS - 61), 'N4'));
      assertVerifyError(() => verifyWechatpaySignature({ headers, body: NOTIFY_BODY, keys, now: NOW_MS, maxSkewSeconds: 60 }),
        'TIMESTAMP_EXPIRED');
    });

    it('should check the timestamp before the serial', () => {
      const headers = { ...nodeHeaders(), 'wechatpay-timestamp': String(NOW_SECONDS - 1000), 'wechatpay-serial': 'UNKNOWN' };
      assertVerifyError(() => verifyAt(headers), 'TIMESTAMP_EXPIRED');
    });

    it('should fail SERIAL_UNKNOWN for a serial the resolver does not know, without echoing odd values', () => {
      const headers = { ...nodeHeaders(), 'wechatpay-serial': 'PUB_KEY_ID_OTHER' };
      const err = assertVerifyError(() => verifyAt(headers), 'SERIAL_UNKNOWN');
      assert.match(err.message, /PUB_KEY_ID_OTHER/);
      const odd = { ...nodeHeaders(), 'wechatpay-serial': '<script>alert(1)</script>' };
      const oddErr = assertVerifyError(() => verifyAt(odd), 'SERIAL_UNKNOWN');
      assert.doesNotMatch(oddErr.message, /script/);
    });

    it('should fail SIGNATURE_INVALID for a tampered body', () => {
      const tampered = NOTIFY_BODY.replace('encrypt-resource', 'encrypt-resourcf');
      assertVerifyError(() => verifyAt(nodeHeaders(), tampered),
        'SIGNATURE_INVALID');
    });

    it('should fail SIGNATURE_INVALID for a body that differs only in whitespace (raw body required)', () => {
      const reserialized = JSON.stringify(JSON.parse(NOTIFY_BODY), null, 1);
      assertVerifyError(() => verifyAt(nodeHeaders(), reserialized),
        'SIGNATURE_INVALID');
    });

    it('should fail SIGNATURE_INVALID for a tampered nonce or timestamp', () => {
      const nonce = { ...nodeHeaders(), 'wechatpay-nonce': 'other-nonce' };
      assertVerifyError(() => verifyAt(nonce), 'SIGNATURE_INVALID');
      const timestamp = { ...nodeHeaders(), 'wechatpay-timestamp': String(NOW_SECONDS + 1) };
      assertVerifyError(() => verifyAt(timestamp),
        'SIGNATURE_INVALID');
    });

    it('should fail SIGNATURE_INVALID for a WECHATPAY/SIGNTEST/ probe', () => {
      const headers = { ...nodeHeaders(), 'wechatpay-signature': 'WECHATPAY/SIGNTEST/' + signed['Wechatpay-Signature'] };
      const err = assertVerifyError(() => verifyAt(headers), 'SIGNATURE_INVALID');
      assert.match(err.message, /SIGNTEST/);
    });

    it('should fail SIGNATURE_INVALID for a signature made with another key', () => {
      const forged = asNodeHeaders(wechatpaySignatureHeaders(NOTIFY_BODY, stranger.privateKey, SERIAL, String(NOW_SECONDS), 'N5'));
      assertVerifyError(() => verifyAt(forged), 'SIGNATURE_INVALID');
    });

    for (const garbage of [ '%%%garbage%%%', 'AAAA', 'not base64 at all', Buffer.alloc(256).toString('base64') ]) {
      it(`should fail SIGNATURE_INVALID (not throw another error) for garbage signature ${JSON.stringify(garbage.slice(0, 16))}`, () => {
        const headers = { ...nodeHeaders(), 'wechatpay-signature': garbage };
        assertVerifyError(() => verifyAt(headers), 'SIGNATURE_INVALID');
      });
    }

    it('should never put key material in error messages', () => {
      const pemBody = wechat.publicPem.split('\n')[1];
      const headers = { ...nodeHeaders(), 'wechatpay-signature': 'AAAA' };
      const err = assertVerifyError(() => verifyAt(headers), 'SIGNATURE_INVALID');
      assert.ok(!err.message.includes(pemBody));
      assert.ok(!err.message.includes(signed['Wechatpay-Signature']));
    });

    it('should be an Error subclass with name WechatpayVerifyError', () => {
      const err = assertVerifyError(() => verifyWechatpaySignature({ headers: {}, body: '', keys, now: NOW_MS }), 'HEADER_MISSING');
      assert.ok(err instanceof Error);
      assert.equal(err.name, 'WechatpayVerifyError');
      assert.match(err.message, /Wechatpay-Timestamp, Wechatpay-Nonce, Wechatpay-Signature, Wechatpay-Serial/);
    });

    it('should verify with a crypto.KeyObject made from a PEM string once', () => {
      const key = crypto.createPublicKey(wechat.publicPem);
      const result = verifyWechatpaySignature({ headers: signed, body: NOTIFY_BODY, keys: { get: () => key }, now: NOW_MS });
      assert.equal(result.serial, SERIAL);
    });
  });
});
