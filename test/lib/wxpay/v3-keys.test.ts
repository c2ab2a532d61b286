import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  decryptPlatformCertificates,
  loadPrivateKey,
  loadPublicKey,
  normalizeSerial,
  PlatformCertificate,
  PlatformCertificateEntry,
  WechatpayKeyStore,
} from '../../../app/lib/wxpay/v3-keys';
import { ResourceDecryptError } from '../../../app/lib/wxpay/v3-resource';
import { rsaSign, verifyWechatpaySignature } from '../../../app/lib/wxpay/v3-signature';
// WeChat's side (encrypted certificates, signed replies) comes from the simulator's own code.
import { sealResource } from '../../../sandbox/wechat/aes-gcm';
import { wechatpaySignatureHeaders } from '../../../sandbox/wechat/wechatpay-signature';
import { rsaKeyPair, selfSignedCertificate, TEST_API_V3_KEY, testTempDir, TestCertificate, TestKeyPair } from './v3-fixtures';

const PUB_KEY_ID = 'PUB_KEY_ID_0112345678902025010100000000000001';
const DAY_MS = 24 * 3600 * 1000;

/** Wraps a certificate the way GET /v3/certificates returns it. */
function certificateEntry(cert: TestCertificate, serialNo = cert.serial, nonce = 'a1b2c3d4e5f6'): PlatformCertificateEntry {
  return {
    serial_no: serialNo,
    effective_time: new Date().toISOString(),
    expire_time: new Date(Date.now() + 2 * DAY_MS).toISOString(),
    encrypt_certificate: sealResource(cert.certPem, TEST_API_V3_KEY, nonce, 'certificate'),
  };
}

/** True when two KeyObjects hold the same public key. */
function samePublicKey(a: crypto.KeyObject, b: crypto.KeyObject): boolean {
  return a.export({ type: 'spki', format: 'der' }).equals(b.export({ type: 'spki', format: 'der' }));
}

/** Asserts that fn throws an Error whose message does not contain the given secret fragment. */
function assertThrowsWithout(fn: () => unknown, secret: string, pattern: RegExp): void {
  assert.throws(fn, (err: Error) => {
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes(secret), 'error message must not echo the input');
    return true;
  });
}

describe('test/lib/wxpay/v3-keys.test.ts', () => {
  let merchant: TestKeyPair;
  let wechat: TestKeyPair;
  let certA: TestCertificate;
  let certB: TestCertificate;

  before(() => {
    merchant = rsaKeyPair('merchant');
    wechat = rsaKeyPair('wechat');
    certA = selfSignedCertificate('5157F09EFDC096DE15EBE81A47057A7232F2A2F0');
    certB = selfSignedCertificate('0A1B2C3D4E5F60718293A4B5C6D7E8F901234567');
  });

  describe('loadPrivateKey()', () => {
    it('should load PKCS#8 PEM text', () => {
      const key = loadPrivateKey(merchant.privatePem);
      assert.equal(key.type, 'private');
      assert.equal(rsaSign('m', key), rsaSign('m', merchant.privateKey));
    });

    it('should load PEM with literal \\n escapes as carried by env vars, also quoted', () => {
      const escaped = merchant.privatePem.trim().replace(/\n/g, '\\n');
      assert.ok(!escaped.includes('\n'));
      assert.equal(rsaSign('m', loadPrivateKey(escaped)), rsaSign('m', merchant.privateKey));
      assert.equal(rsaSign('m', loadPrivateKey(`"${escaped}"`)), rsaSign('m', merchant.privateKey));
    });

    it('should load PEM with CRLF line endings and PKCS#1 format', () => {
      const pkcs1 = merchant.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString().replace(/\n/g, '\r\n');
      assert.equal(rsaSign('m', loadPrivateKey(pkcs1)), rsaSign('m', merchant.privateKey));
    });

    it('should load from a file path', () => {
      const file = path.join(testTempDir(), 'apiclient_key.pem');
      fs.writeFileSync(file, merchant.privatePem);
      assert.equal(rsaSign('m', loadPrivateKey(file)), rsaSign('m', merchant.privateKey));
    });

    it('should fail clearly without echoing content for a missing file or a headerless key', () => {
      const base64Only = merchant.privatePem.split('\n').slice(1, -2).join('');
      assertThrowsWithout(() => loadPrivateKey(base64Only), base64Only.slice(0, 40), /not PEM text.*ENAMETOOLONG|not PEM text.*ENOENT/);
      assertThrowsWithout(() => loadPrivateKey('/nonexistent/apiclient_key.pem'), 'apiclient_key', /ENOENT/);
      assert.throws(() => loadPrivateKey(''), /no PEM text or file path/);
    });

    it('should fail without echoing content for corrupt PEM, a public key or a non-RSA key', () => {
      const lines = merchant.privatePem.split('\n');
      const corrupt = [ lines[0], lines[1].slice(0, 20) + '!!' + lines[1].slice(22), ...lines.slice(2) ].join('\n');
      assertThrowsWithout(() => loadPrivateKey(corrupt), lines[2], /could not be parsed/);
      assertThrowsWithout(() => loadPrivateKey(merchant.publicPem), merchant.publicPem.split('\n')[1], /PRIVATE KEY block/);
      const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      assertThrowsWithout(() => loadPrivateKey(ec), ec.split('\n')[1], /expected an RSA key/);
    });

    it('should refuse a passphrase-protected key with a clear message', () => {
      const encrypted = merchant.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
      assert.throws(() => loadPrivateKey(encrypted), /passphrase-protected/);
    });
  });

  describe('loadPublicKey()', () => {
    it('should load a PUBLIC KEY PEM, escaped or from a path', () => {
      assert.ok(samePublicKey(loadPublicKey(wechat.publicPem), wechat.publicKey));
      assert.ok(samePublicKey(loadPublicKey(wechat.publicPem.replace(/\n/g, '\\n')), wechat.publicKey));
      const file = path.join(testTempDir(), 'pub_key.pem');
      fs.writeFileSync(file, wechat.publicPem);
      assert.ok(samePublicKey(loadPublicKey(file), wechat.publicKey));
    });

    it('should load the public key out of a CERTIFICATE PEM', () => {
      const key = loadPublicKey(certA.certPem);
      assert.equal(key.type, 'public');
      assert.ok(samePublicKey(key, crypto.createPublicKey(certA.privateKey)));
    });

    it('should refuse a private key given where a public key belongs', () => {
      assert.throws(() => loadPublicKey(wechat.privatePem), /holds a private key/);
    });

    it('should fail clearly for garbage', () => {
      assert.throws(() => loadPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'), /could not be parsed/);
      assert.throws(() => loadPublicKey('/nonexistent/pub_key.pem'), /ENOENT/);
    });
  });

  describe('normalizeSerial()', () => {
    it('should ignore case, colons and leading zeros', () => {
      assert.equal(normalizeSerial('0a:1b:2c'), 'A1B2C');
      assert.equal(normalizeSerial('000'), '0');
      assert.equal(normalizeSerial('5157f09efdc096de'), '5157F09EFDC096DE');
    });
  });

  describe('decryptPlatformCertificates()', () => {
    it('should decrypt two certificates valid at the same time', () => {
      const list = decryptPlatformCertificates([ certificateEntry(certA), certificateEntry(certB, certB.serial, 'f6e5d4c3b2a1') ], TEST_API_V3_KEY);
      assert.deepEqual(list.map(cert => cert.serial), [ certA.serial, certB.serial ]);
      assert.ok(samePublicKey(list[0].publicKey, crypto.createPublicKey(certA.privateKey)));
      assert.ok(samePublicKey(list[1].publicKey, crypto.createPublicKey(certB.privateKey)));
      for (const cert of list) {
        assert.ok(cert.notBefore <= Date.now() + 60_000 && cert.notAfter > Date.now() + DAY_MS);
        assert.ok(cert.notAfter - cert.notBefore === 2 * DAY_MS);
      }
    });

    it('should match serial_no case-insensitively and with a leading zero', () => {
      assert.equal(certB.serial, 'A1B2C3D4E5F60718293A4B5C6D7E8F901234567');
      const list = decryptPlatformCertificates([
        certificateEntry(certA, certA.serial.toLowerCase()),
        certificateEntry(certB, '0' + certB.serial.toLowerCase()),
      ], TEST_API_V3_KEY);
      assert.equal(list.length, 2);
    });

    it('should reject a list whose serial_no does not match the certificate', () => {
      assert.throws(() => decryptPlatformCertificates([ certificateEntry(certA, certB.serial) ], TEST_API_V3_KEY),
        /serial_no does not match/);
    });

    it('should drop certificates that are expired at the given time', () => {
      const entries = [ certificateEntry(certA), certificateEntry(certB) ];
      assert.equal(decryptPlatformCertificates(entries, TEST_API_V3_KEY, Date.now() + DAY_MS).length, 2);
      assert.deepEqual(decryptPlatformCertificates(entries, TEST_API_V3_KEY, Date.now() + 3 * DAY_MS), []);
    });

    it('should propagate decryption failures (wrong APIv3 key) as ResourceDecryptError', () => {
      assert.throws(() => decryptPlatformCertificates([ certificateEntry(certA) ], 'X'.repeat(32)),
        (err: unknown) => err instanceof ResourceDecryptError && err.code === 'TAG_MISMATCH');
    });

    it('should reject a decrypted payload that is not a certificate', () => {
      const entry = { ...certificateEntry(certA), encrypt_certificate: sealResource('not a cert', TEST_API_V3_KEY, 'a1b2c3d4e5f6', 'certificate') };
      assert.throws(() => decryptPlatformCertificates([ entry ], TEST_API_V3_KEY), /could not be parsed/);
    });
  });

  describe('WechatpayKeyStore', () => {
    let certs: PlatformCertificate[];

    before(() => {
      certs = decryptPlatformCertificates([ certificateEntry(certA), certificateEntry(certB) ], TEST_API_V3_KEY);
    });

    it('should return the WeChat Pay public key for its PUB_KEY_ID and nothing for unknown ids', () => {
      const store = new WechatpayKeyStore({ publicKey: { id: PUB_KEY_ID, key: wechat.publicKey } });
      assert.equal(store.get(PUB_KEY_ID), wechat.publicKey);
      assert.equal(store.get('PUB_KEY_ID_0000'), undefined);
      assert.equal(store.get(certA.serial), undefined);
      assert.equal(store.hasCertificates(), false);
      assert.deepEqual(store.serials(), [ PUB_KEY_ID ]);
    });

    it('should select by platform certificate serial, case-insensitively, alongside the public key', () => {
      const store = new WechatpayKeyStore({ publicKey: { id: PUB_KEY_ID, key: wechat.publicKey }, certificates: certs });
      assert.equal(store.get(PUB_KEY_ID), wechat.publicKey);
      assert.equal(store.get(certA.serial), certs[0].publicKey);
      assert.equal(store.get(certA.serial.toLowerCase()), certs[0].publicKey);
      assert.equal(store.get(certB.serial), certs[1].publicKey);
      assert.equal(store.get('DEADBEEF'), undefined);
      assert.equal(store.hasCertificates(), true);
      assert.deepEqual(store.serials(), [ PUB_KEY_ID, certA.serial, certB.serial ]);
    });

    it('should return a certificate only while it is valid', () => {
      let now = Date.now();
      const store = new WechatpayKeyStore({ certificates: certs, clock: () => now });
      assert.ok(store.get(certA.serial));
      now = certs[0].notAfter + 1;
      assert.equal(store.get(certA.serial), undefined);
      now = certs[0].notBefore - 1;
      assert.equal(store.get(certA.serial), undefined);
    });

    it('should swap the certificate set atomically with replaceCertificates()', () => {
      const store = new WechatpayKeyStore({ certificates: [ certs[0] ] });
      assert.ok(store.get(certA.serial));
      assert.equal(store.get(certB.serial), undefined);
      store.replaceCertificates([ certs[1] ]);
      assert.equal(store.get(certA.serial), undefined);
      assert.ok(store.get(certB.serial));
      store.replaceCertificates([]);
      assert.equal(store.hasCertificates(), false);
      assert.deepEqual(store.serials(), []);
    });

    it('should verify notifies signed by either of two certificates during rotation', () => {
      const store = new WechatpayKeyStore({ certificates: certs });
      const body = '{"id":"EV-1"}';
      for (const cert of [ certA, certB ]) {
        const headers = wechatpaySignatureHeaders(body, cert.privateKey, cert.serial);
        assert.equal(verifyWechatpaySignature({ headers, body, keys: store }).serial, cert.serial);
      }
      const wrongKey = wechatpaySignatureHeaders(body, certA.privateKey, certB.serial);
      assert.throws(() => verifyWechatpaySignature({ headers: wrongKey, body, keys: store }), { code: 'SIGNATURE_INVALID' });
    });

    it('should make verifyWechatpaySignature fail SERIAL_UNKNOWN once a certificate has expired', () => {
      const store = new WechatpayKeyStore({ certificates: certs, clock: () => certs[0].notAfter + 1000 });
      const headers = wechatpaySignatureHeaders('{}', certA.privateKey, certA.serial);
      assert.throws(() => verifyWechatpaySignature({ headers, body: '{}', keys: store }), { code: 'SERIAL_UNKNOWN' });
    });
  });
});
