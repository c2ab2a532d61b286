import assert from 'node:assert/strict';
import { badgeClass, isFinalRefundStatus, ORDER_STATUSES, REFUND_STATUSES, statusTone } from '../../console/src/lib/status';

describe('test/console/status.test.ts', () => {
  it('should give every order status a badge of its own tone', () => {
    assert.deepEqual(ORDER_STATUSES.map(statusTone), [ 'warning', 'success', 'neutral', 'refunded' ]);
    assert.equal(badgeClass('PAID'), 'badge badge--success');
    assert.equal(badgeClass('REFUNDED'), 'badge badge--refunded');
  });

  it('should give refund statuses their tones: in progress, done, closed, needs a look, refused', () => {
    assert.deepEqual(REFUND_STATUSES.map(statusTone), [ 'info', 'success', 'neutral', 'warning', 'danger' ]);
  });

  it('should colour reconciliation days and fall back to neutral for anything unknown', () => {
    assert.equal(statusTone('DONE'), 'success');
    assert.equal(statusTone('WAITING'), 'warning');
    assert.equal(statusTone('FAILED'), 'danger');
    assert.equal(statusTone('EMPTY'), 'neutral');
    assert.equal(statusTone('RUNNING'), 'info');
    assert.equal(badgeClass('SOMETHING_NEW'), 'badge badge--neutral');
  });

  it('should know which refund statuses are final (ABNORMAL is not)', () => {
    assert.deepEqual(REFUND_STATUSES.filter(isFinalRefundStatus), [ 'SUCCESS', 'CLOSED', 'FAILED' ]);
  });
});
