import assert from 'node:assert/strict';
import { canMove, RefundStatus, releasesReservation, statusesBefore } from '../../app/lib/refund-status';
import { automaticRefundNo, createRefundNo, isRefundNo, refundNotifyUrl } from '../../app/lib/refund-no';

describe('test/lib/refund-status.test.ts', () => {
  it('should only move forward: PROCESSING to any end, ABNORMAL to SUCCESS or CLOSED, nothing out of SUCCESS, CLOSED, FAILED', () => {
    const { PROCESSING, SUCCESS, CLOSED, ABNORMAL, FAILED } = RefundStatus;
    for (const to of [ SUCCESS, CLOSED, ABNORMAL, FAILED ]) assert.equal(canMove(PROCESSING, to), true, to);
    assert.equal(canMove(ABNORMAL, SUCCESS), true);
    assert.equal(canMove(ABNORMAL, CLOSED), true);
    assert.equal(canMove(ABNORMAL, PROCESSING), false);
    assert.equal(canMove(ABNORMAL, FAILED), false);
    for (const from of [ SUCCESS, CLOSED, FAILED ]) {
      for (const to of Object.values(RefundStatus)) assert.equal(canMove(from, to), false, `${from} → ${to}`);
    }
    assert.deepEqual(statusesBefore(SUCCESS).sort(), [ ABNORMAL, PROCESSING ]);
    assert.deepEqual(statusesBefore(FAILED), [ PROCESSING ]);
  });

  it('should give the amount back only for CLOSED and FAILED', () => {
    assert.deepEqual(Object.values(RefundStatus).filter(releasesReservation).sort(), [ RefundStatus.CLOSED, RefundStatus.FAILED ]);
  });

  it('should make refund numbers WeChat accepts, the automatic one derived from the transaction', () => {
    const refundNo = createRefundNo(new Date('2026-11-29T10:00:00Z'));
    assert.match(refundNo, /^R20261129100000[0-9A-Z]{12}$/);
    assert.ok(isRefundNo(refundNo));
    assert.equal(automaticRefundNo('4200001234202611221234567890'), 'A4200001234202611221234567890');
    assert.equal(isRefundNo('R 1'), false);
    assert.equal(isRefundNo('x'.repeat(65)), false);
  });

  it('should derive the refund notify URL from the pay notify URL unless one is configured', () => {
    assert.equal(refundNotifyUrl('', 'https://shop.example.com/api/pay/notify', 'v2'), 'https://shop.example.com/api/pay/refund-notify');
    assert.equal(refundNotifyUrl('', 'https://shop.example.com:8443/api/pay/notify/v3', 'v3'), 'https://shop.example.com:8443/api/pay/refund-notify/v3');
    assert.equal(refundNotifyUrl('https://r.example.com/x', 'https://shop.example.com/api/pay/notify', 'v3'), 'https://r.example.com/x');
  });
});
