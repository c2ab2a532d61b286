import assert from 'node:assert/strict';
import { KeyObject } from 'node:crypto';
import { WechatpayKeyStore } from '../../../app/lib/wxpay/v3-keys';
import { RejectedV3Notify, V3NotifyInput, verifyV3Notify } from '../../../app/lib/wxpay/v3-notify';
// The notify is built by the simulator's WeChat-side code, never by the code under test.
import { sealResource } from '../../../sandbox/wechat/aes-gcm';
import { wechatpaySignatureHeaders } from '../../../sandbox/wechat/wechatpay-signature';
import { rsaKeyPair, TEST_API_V3_KEY } from './v3-fixtures';

const APP_ID = 'wx1234567890abcdef';
const MCH_ID = '1900000109';
const PUBLIC_KEY_ID = 'PUB_KEY_ID_0119000001092025010100000000000001';
const ORDER_NO = '20261122100000ABCDEF123456';
const TRANSACTION_ID = '4200001234202611221234567890';

const wechatpay = rsaKeyPair('wechatpay');
const stranger = rsaKeyPair('stranger');
const keys = new WechatpayKeyStore({ publicKey: { id: PUBLIC_KEY_ID, key: wechatpay.publicKey } });

function transaction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    appid: APP_ID,
    mchid: MCH_ID,
    out_trade_no: ORDER_NO,
    transaction_id: TRANSACTION_ID,
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    success_time: '2026-11-22T18:00:05+08:00',
    payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
    amount: { total: 1280, payer_total: 1280, currency: 'CNY', payer_currency: 'CNY' },
    ...overrides,
  };
}

interface NotifyParts {
  transaction?: Record<string, unknown> | string;
  envelope?: Record<string, unknown>;
  apiV3Key?: string;
  associatedData?: string;
  signingKey?: KeyObject;
  serial?: string;
  timestamp?: string;
  /** replaces the signed body after signing */
  tamper?: (body: string) => string;
}

/** A notify built the way WeChat Pay builds one, independently of the code under test. */
function buildNotify(parts: NotifyParts = {}): V3NotifyInput {
  const plaintext = typeof parts.transaction === 'string' ? parts.transaction : JSON.stringify(parts.transaction ?? transaction());
  const resource = sealResource(plaintext, parts.apiV3Key ?? TEST_API_V3_KEY, 'Nn0nce0f12bt', parts.associatedData ?? 'transaction');
  const body = JSON.stringify({
    id: 'EV-2018022511223320873',
    create_time: '2026-11-22T18:00:06+08:00',
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: { original_type: 'transaction', ...resource },
    ...parts.envelope,
  });
  const headers = wechatpaySignatureHeaders(body, parts.signingKey ?? wechatpay.privateKey, parts.serial ?? PUBLIC_KEY_ID, parts.timestamp);
  return { headers, rawBody: parts.tamper ? parts.tamper(body) : body, keys, apiV3Key: TEST_API_V3_KEY, appId: APP_ID, mchId: MCH_ID };
}

function assertRejected(input: V3NotifyInput, status: 400 | 401, code: string, orderNo?: string): RejectedV3Notify {
  const verdict = verifyV3Notify(input);
  assert.equal(verdict.ok, false, 'expected a rejection');
  const rejected = verdict as RejectedV3Notify;
  assert.equal(rejected.status, status, rejected.reason);
  assert.equal(rejected.code, code, rejected.reason);
  assert.ok(rejected.reason.length > 0);
  assert.equal(rejected.orderNo, orderNo);
  return rejected;
}

describe('test/lib/wxpay/v3-notify.test.ts', () => {
  describe('a genuine notify', () => {
    it('should give the payment as a trade report', () => {
      const verdict = verifyV3Notify(buildNotify());
      assert.equal(verdict.ok, true);
      if (!verdict.ok) return;
      assert.deepEqual(verdict.report, {
        orderNo: ORDER_NO,
        state: 'SUCCESS',
        appId: APP_ID,
        mchId: MCH_ID,
        transactionId: TRANSACTION_ID,
        amount: 1280,
        paidAt: new Date('2026-11-22T10:00:05Z'),
      });
    });

    it('should read the signature headers whatever their case', () => {
      const input = buildNotify();
      const lower = Object.fromEntries(Object.entries(input.headers).map(([ name, value ]) => [ name.toLowerCase(), value ]));
      assert.equal(verifyV3Notify({ ...input, headers: lower }).ok, true);
    });

    it('should leave paidAt unset when success_time is malformed, not refuse the payment', () => {
      const verdict = verifyV3Notify(buildNotify({ transaction: transaction({ success_time: 'yesterday' }) }));
      assert.equal(verdict.ok && verdict.report.paidAt, undefined);
    });

    it('should accept a notify exactly 300 s old and honour an injected clock', () => {
      const timestamp = '1800000000';
      assert.equal(verifyV3Notify({ ...buildNotify({ timestamp }), now: (1800000000 + 300) * 1000 }).ok, true);
      assertRejected({ ...buildNotify({ timestamp }), now: (1800000000 + 301) * 1000 }, 401, 'TIMESTAMP_EXPIRED');
    });
  });

  describe('signature (401)', () => {
    it('should refuse a notify without its signature headers', () => {
      for (const name of [ 'Wechatpay-Timestamp', 'Wechatpay-Nonce', 'Wechatpay-Signature', 'Wechatpay-Serial' ]) {
        const input = buildNotify();
        const headers = { ...input.headers };
        delete headers[name];
        assertRejected({ ...input, headers }, 401, 'HEADER_MISSING');
      }
    });

    it('should refuse a timestamp that is not a number of seconds', () => {
      assertRejected(buildNotify({ timestamp: '2026-11-22' }), 401, 'TIMESTAMP_INVALID');
    });

    it('should refuse a notify older or newer than 300 s (replay window)', () => {
      const now = Math.floor(Date.now() / 1000);
      assertRejected(buildNotify({ timestamp: String(now - 301) }), 401, 'TIMESTAMP_EXPIRED');
      assertRejected(buildNotify({ timestamp: String(now + 301) }), 401, 'TIMESTAMP_EXPIRED');
    });

    it('should refuse a serial it has no key for', () => {
      assertRejected(buildNotify({ serial: 'PUB_KEY_ID_SOMEONE_ELSE' }), 401, 'SERIAL_UNKNOWN');
    });

    it('should refuse a signature by another key', () => {
      assertRejected(buildNotify({ signingKey: stranger.privateKey }), 401, 'SIGNATURE_INVALID');
    });

    it('should refuse a body changed after signing, before reading anything in it', () => {
      const tamper = (body: string) => body.replace('TRANSACTION.SUCCESS', 'TRANSACTION.SUCCESS ');
      assertRejected(buildNotify({ tamper }), 401, 'SIGNATURE_INVALID');
      assertRejected(buildNotify({ tamper: () => 'not even JSON' }), 401, 'SIGNATURE_INVALID');
    });

    it("should refuse WeChat's WECHATPAY/SIGNTEST probes", () => {
      const input = buildNotify();
      const headers = { ...input.headers, 'Wechatpay-Signature': 'WECHATPAY/SIGNTEST/abc' };
      assertRejected({ ...input, headers }, 401, 'SIGNATURE_INVALID');
    });
  });

  describe('envelope and resource (400)', () => {
    it('should refuse a signed body that is not a JSON object', () => {
      for (const rawBody of [ 'not JSON', '[1,2]', 'null' ]) {
        const headers = wechatpaySignatureHeaders(rawBody, wechatpay.privateKey, PUBLIC_KEY_ID);
        assertRejected({ ...buildNotify(), headers, rawBody }, 400, 'BODY_INVALID');
      }
    });

    it('should refuse an event other than TRANSACTION.SUCCESS', () => {
      for (const event_type of [ 'REFUND.SUCCESS', 'TRANSACTION.CLOSED', undefined ]) {
        assertRejected(buildNotify({ envelope: { event_type } }), 400, 'EVENT_UNSUPPORTED');
      }
    });

    it('should refuse a missing resource or one that is not a transaction', () => {
      assertRejected(buildNotify({ envelope: { resource: undefined } }), 400, 'RESOURCE_INVALID');
      assertRejected(buildNotify({ envelope: { resource: 'cipher' } }), 400, 'RESOURCE_INVALID');
      const resource = { ...sealResource('{}', TEST_API_V3_KEY, 'Nn0nce0f12bt', 'transaction'), original_type: 'refund' };
      assertRejected(buildNotify({ envelope: { resource } }), 400, 'RESOURCE_INVALID');
    });

    it('should refuse a resource that does not decrypt with our APIv3 key', () => {
      const rejected = assertRejected(buildNotify({ apiV3Key: 'Zz9vQ2mX7pL4wR8zK1nB6yH3dF5gJ0sA' }), 400, 'RESOURCE_INVALID');
      assert.match(rejected.reason, /TAG_MISMATCH/);
    });

    it('should refuse a resource whose associated_data was changed', () => {
      const base = JSON.parse(buildNotify().rawBody) as { resource: Record<string, unknown> };
      const resource = { ...base.resource, associated_data: 'refund' };
      assertRejected(buildNotify({ envelope: { resource } }), 400, 'RESOURCE_INVALID');
    });

    it('should refuse an unsupported algorithm or a malformed ciphertext', () => {
      const base = JSON.parse(buildNotify().rawBody) as { resource: Record<string, unknown> };
      assertRejected(buildNotify({ envelope: { resource: { ...base.resource, algorithm: 'AES_128_CBC' } } }), 400, 'RESOURCE_INVALID');
      assertRejected(buildNotify({ envelope: { resource: { ...base.resource, ciphertext: '***' } } }), 400, 'RESOURCE_INVALID');
    });

    it('should throw, not reject, when our own APIv3 key is misconfigured (a 5xx, so WeChat retries)', () => {
      assert.throws(() => verifyV3Notify({ ...buildNotify(), apiV3Key: 'short' }), /APIv3 key must be 32 bytes/);
    });
  });

  describe('transaction (400)', () => {
    it('should refuse a decrypted resource that is not a JSON object', () => {
      assertRejected(buildNotify({ transaction: 'paid!' }), 400, 'TRANSACTION_INVALID');
    });

    it('should refuse another appid or mchid, naming the order', () => {
      assertRejected(buildNotify({ transaction: transaction({ appid: 'wx0000000000000000' }) }), 400, 'APPID_MISMATCH', ORDER_NO);
      assertRejected(buildNotify({ transaction: transaction({ mchid: '1230000109' }) }), 400, 'MCHID_MISMATCH', ORDER_NO);
    });

    it('should refuse a missing or malformed out_trade_no', () => {
      assertRejected(buildNotify({ transaction: transaction({ out_trade_no: undefined }) }), 400, 'TRANSACTION_INVALID');
      assertRejected(buildNotify({ transaction: transaction({ out_trade_no: 'order#1' }) }), 400, 'TRANSACTION_INVALID');
    });

    it('should refuse a trade_state other than SUCCESS', () => {
      for (const trade_state of [ 'NOTPAY', 'PAYERROR', 'REFUND', undefined ]) {
        assertRejected(buildNotify({ transaction: transaction({ trade_state }) }), 400, 'TRANSACTION_INVALID', ORDER_NO);
      }
    });

    it('should refuse an amount that is not a positive integer of fen', () => {
      for (const amount of [ undefined, {}, { total: 0 }, { total: -5 }, { total: 12.8 }, { total: '1280' }, 1280 ]) {
        assertRejected(buildNotify({ transaction: transaction({ amount }) }), 400, 'TRANSACTION_INVALID', ORDER_NO);
      }
    });

    it('should refuse a missing transaction_id', () => {
      for (const transaction_id of [ undefined, '', 42 ]) {
        assertRejected(buildNotify({ transaction: transaction({ transaction_id }) }), 400, 'TRANSACTION_INVALID', ORDER_NO);
      }
    });
  });
});
