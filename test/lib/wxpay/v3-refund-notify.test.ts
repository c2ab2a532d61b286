import assert from 'node:assert/strict';
import { WechatpayKeyStore } from '../../../app/lib/wxpay/v3-keys';
import { verifyV3RefundNotify } from '../../../app/lib/wxpay/v3-refund-notify';
// The notify is built by the simulator's WeChat-side code, never by the code under test.
import { sealResource } from '../../../sandbox/wechat/aes-gcm';
import { wechatpaySignatureHeaders } from '../../../sandbox/wechat/wechatpay-signature';
import { rsaKeyPair, TEST_API_V3_KEY } from './v3-fixtures';

const MCH_ID = '1900000109';
const PUBLIC_KEY_ID = 'PUB_KEY_ID_0119000001092025010100000000000001';
const wechatpay = rsaKeyPair('wechatpay');
const keys = new WechatpayKeyStore({ publicKey: { id: PUBLIC_KEY_ID, key: wechatpay.publicKey } });

function refund(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mchid: MCH_ID,
    out_trade_no: '20261122100000ABCDEF123456',
    transaction_id: '4200001234202611221234567890',
    out_refund_no: 'R20261122100500ABCDEF123456',
    refund_id: '50000000382019052709732678859',
    refund_status: 'SUCCESS',
    success_time: '2026-11-22T18:10:00+08:00',
    user_received_account: '支付用户零钱',
    amount: { total: 1280, refund: 640, payer_total: 1280, payer_refund: 640 },
    ...overrides,
  };
}

function notify(eventType: string, resource: Record<string, unknown>, originalType = 'refund') {
  const body = JSON.stringify({
    id: 'EV-2018022511223320873',
    create_time: '2026-11-22T18:10:01+08:00',
    resource_type: 'encrypt-resource',
    event_type: eventType,
    summary: '退款成功',
    resource: { original_type: originalType, ...sealResource(JSON.stringify(resource), TEST_API_V3_KEY, 'Nn0nce0f12bt', 'refund') },
  });
  return { headers: wechatpaySignatureHeaders(body, wechatpay.privateKey, PUBLIC_KEY_ID), rawBody: body, keys, apiV3Key: TEST_API_V3_KEY, mchId: MCH_ID };
}

describe('test/lib/wxpay/v3-refund-notify.test.ts', () => {
  it('should read a REFUND.SUCCESS: numbers, amounts and the success time', () => {
    const verdict = verifyV3RefundNotify(notify('REFUND.SUCCESS', refund()));
    assert.equal(verdict.ok, true);
    if (!verdict.ok) return;
    assert.equal(verdict.report.refundNo, 'R20261122100500ABCDEF123456');
    assert.equal(verdict.report.refundId, '50000000382019052709732678859');
    assert.equal(verdict.report.state, 'SUCCESS');
    assert.equal(verdict.report.total, 1280);
    assert.equal(verdict.report.amount, 640);
    assert.deepEqual(verdict.report.succeededAt, new Date('2026-11-22T10:10:00Z'));
  });

  it('should read REFUND.ABNORMAL and REFUND.CLOSED', () => {
    for (const status of [ 'ABNORMAL', 'CLOSED' ]) {
      const verdict = verifyV3RefundNotify(notify(`REFUND.${status}`, refund({ refund_status: status, success_time: undefined })));
      assert.equal(verdict.ok && verdict.report.state, status);
    }
  });

  it('should refuse a payment notify, another merchant, a missing amount and a forged signature', () => {
    const payment = verifyV3RefundNotify(notify('TRANSACTION.SUCCESS', refund()));
    assert.equal(!payment.ok && payment.code, 'EVENT_UNSUPPORTED');
    const foreign = verifyV3RefundNotify(notify('REFUND.SUCCESS', refund({ mchid: '1900000002' })));
    assert.equal(!foreign.ok && foreign.code, 'MCHID_MISMATCH');
    const noAmount = verifyV3RefundNotify(notify('REFUND.SUCCESS', refund({ amount: { total: 1280 } })));
    assert.equal(!noAmount.ok && noAmount.code, 'TRANSACTION_INVALID');
    const forged = notify('REFUND.SUCCESS', refund());
    const tampered = verifyV3RefundNotify({ ...forged, rawBody: forged.rawBody.replace('退款成功', '退款成功 ') });
    assert.equal(!tampered.ok && tampered.status, 401);
  });

  it('should refuse a resource of another original type', () => {
    const verdict = verifyV3RefundNotify(notify('REFUND.SUCCESS', refund(), 'transaction'));
    assert.equal(!verdict.ok && verdict.code, 'RESOURCE_INVALID');
  });
});
