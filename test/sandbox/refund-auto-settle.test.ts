import assert from 'node:assert/strict';
import { refundSettler } from '../../sandbox/refund-auto-settle';
import type { RefundNotifier } from '../../sandbox/refund-notifier';
import { Refund, RefundStore } from '../../sandbox/refund-store';

describe('test/sandbox/refund-auto-settle.test.ts', () => {
  function setUp(afterMs: number) {
    const refunds = new RefundStore(() => Date.now());
    const announced: string[] = [];
    const notifier = {
      announce: async (refund: Readonly<Refund>) => {
        announced.push(`${refund.outRefundNo} ${refund.status}`);
        return { state: 'acknowledged' };
      },
    } as unknown as RefundNotifier;
    const refund = refunds.create({
      outRefundNo: 'R1', outTradeNo: 'T1', transactionId: '4200000001', appid: 'wx1', mchid: '1900000109',
      totalFee: 2600, refundFee: 1000, notifyUrl: 'http://127.0.0.1/api/pay/refund-notify', notifyForm: 'v2',
      source: 'API', fundsAccount: 'AVAILABLE',
    });
    return { settle: refundSettler(afterMs, refunds, notifier), refunds, refund, announced };
  }

  const pause = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

  it('should complete an accepted refund after the delay and notify the merchant', async () => {
    const { settle, refund, announced } = setUp(20);
    settle(refund);
    assert.equal(refund.status, 'PROCESSING');
    await pause(60);
    assert.equal(refund.status, 'SUCCESS');
    assert.deepEqual(announced, [ 'R1 SUCCESS' ]);
  });

  it('should leave alone a refund settled otherwise meanwhile, and do nothing when off', async () => {
    const settled = setUp(20);
    settled.settle(settled.refund);
    settled.refunds.settle(settled.refund, 'CLOSED');
    const off = setUp(0);
    off.settle(off.refund);
    await pause(60);
    assert.equal(settled.refund.status, 'CLOSED');
    assert.deepEqual(settled.announced, []);
    assert.equal(off.refund.status, 'PROCESSING');
    assert.deepEqual(off.announced, []);
  });
});
