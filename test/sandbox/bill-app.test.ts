import assert from 'node:assert/strict';
import { app } from 'egg-mock/bootstrap';
import { addBillRow, billDate, billText, resetBills, setBillAmount, setBillDay } from '../support/bills';

/**
 * The bill helpers of test/support/bills.ts on the app's own sandbox mount,
 * as service flow tests use them (the other bill-*.test.ts drive a sandbox
 * of their own by its origin).
 */
describe('test/sandbox/bill-app.test.ts', () => {
  afterEach(async () => {
    await resetBills(app);
  });

  it('should stage a row, misreport its amount, set the day\'s mode and read the text through the app\'s mount', async () => {
    const date = billDate(Date.now() - 24 * 60 * 60 * 1000);
    const row = await addBillRow(app, { date, kind: 'PAYMENT', orderNo: 'APP_MOUNT_ORDER', amount: 100 });
    assert.equal(row.orderNo, 'APP_MOUNT_ORDER');
    await setBillAmount(app, { orderNo: 'APP_MOUNT_ORDER' }, 90);
    const line = (await billText(app, date))?.split('\n').find(value => value.includes('`APP_MOUNT_ORDER,'));
    assert.ok(line?.includes(`\`${row.transactionId},\`APP_MOUNT_ORDER,`), line);
    assert.ok(line?.includes('`SUCCESS,`OTHERS,`CNY,`0.90,'), line);
    await setBillDay(app, date, 'EMPTY');
    assert.equal(await billText(app, date), undefined);
  });
});
