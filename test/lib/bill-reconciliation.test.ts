import assert from 'node:assert/strict';
import { BillRowKind, stagedRowOf } from '../../app/lib/bill-reconciliation';

describe('test/lib/bill-reconciliation.test.ts', () => {
  const time = new Date('2026-11-29T02:00:00Z');
  const base = {
    orderNo: 'O1', transactionId: '4200001', refundNo: '', refundId: '', orderAmount: 0, refundAmount: 0, tradeTime: time,
  };

  it('should stage a payment with its 订单金额 (what the order asked), not 应结订单金额', () => {
    assert.deepEqual(stagedRowOf({ ...base, status: 'SUCCESS', orderAmount: 2600 }), {
      kind: BillRowKind.PAYMENT, orderNo: 'O1', transactionId: '4200001', refundNo: null, refundId: null, amount: 2600, tradedAt: time,
    });
  });

  it('should stage a refund with its 申请退款金额, or 退款金额 when the bill has none', () => {
    const refund = { ...base, status: 'REFUND', refundNo: 'R1', refundId: '50300001', refundAmount: 1200 };
    assert.deepEqual(stagedRowOf({ ...refund, requestedRefundAmount: 1300 }), {
      kind: BillRowKind.REFUND, orderNo: 'O1', transactionId: '4200001', refundNo: 'R1', refundId: '50300001', amount: 1300, tradedAt: time,
    });
    assert.equal(stagedRowOf(refund)!.amount, 1200);
    assert.equal(stagedRowOf({ ...refund, refundNo: '', refundId: '' })!.refundNo, null);
  });

  it('should not stage a REVOKED row or an unknown status', () => {
    assert.equal(stagedRowOf({ ...base, status: 'REVOKED' }), undefined);
    assert.equal(stagedRowOf({ ...base, status: 'SOMETHING_NEW' }), undefined);
  });
});
