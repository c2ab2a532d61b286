import assert from 'node:assert/strict';
import { buildXml, parseXml } from '../../app/lib/wxpay/xml';
import { billText, resetBills, setBillDay } from '../support/bills';
import { callV2, control, orderFields, PAYER_OPENID, signRequest } from './support';
import { callRefundV2, callV3, newOutRefundNo, paidTrade, PaidTrade, RefundSandbox, refundFields, startRefundSandbox } from './refund-support';
import { ALL_DETAIL_HEADER, ALL_SUMMARY_HEADER, beijing, downloadBillFields, downloadBillV2, postDownloadBill, RawReply } from './bill-support';

const APPID = 'wxsandbox0000000001';
const MCHID = '1900000001';
const NO_BILL_EXIST = '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[No Bill Exist]]></return_msg>'
  + '<error_code><![CDATA[20002]]></error_code></xml>';
// Bills are asked for on this day: the days below are in the past, within three months.
const TODAY = '2026-12-06T10:00:00';

function failure(reply: RawReply): Record<string, string> {
  assert.equal(reply.status, 200);
  assert.equal(reply.gzip, false, 'a failure is never gzip');
  assert.ok(reply.text.startsWith('<xml>'), reply.text);
  const fields = parseXml(reply.text);
  assert.equal(fields.return_code, 'FAIL', reply.text);
  assert.equal(fields.sign, undefined, 'a downloadbill failure is not signed');
  return fields;
}

describe('test/sandbox/bill-v2.test.ts', () => {
  let running: RefundSandbox;
  let now = beijing(TODAY);

  before(async () => {
    running = await startRefundSandbox({ clock: () => now });
  });

  after(async () => {
    await running.close();
  });

  beforeEach(async () => {
    now = beijing(TODAY);
    running.sandbox.faults.clear();
    await resetBills(running.origin);
  });

  const download = (billDate: string, overrides = {}) => downloadBillV2(running.origin, downloadBillFields(billDate, overrides));

  /** A v2 trade with a body and attach holding commas, paid at the current sandbox time. */
  async function paidWithCommas(total: number): Promise<PaidTrade> {
    const fields = orderFields({ total_fee: total, body: 'Coffee, large', attach: 'table=3,seat=2' });
    assert.equal((await callV2(running.origin, 'unifiedorder', fields)).fields.result_code, 'SUCCESS');
    const paid = await control(running.origin, 'POST', '/pay', { outTradeNo: fields.out_trade_no, deliverNotify: false });
    return { outTradeNo: String(fields.out_trade_no), transactionId: String(paid.body.transactionId), total };
  }

  async function refundV3(trade: PaidTrade, refund: number): Promise<{ outRefundNo: string; refundId: string }> {
    const outRefundNo = newOutRefundNo();
    const reply = await callV3(running.origin, 'POST', '/v3/refund/domestic/refunds', {
      out_trade_no: trade.outTradeNo, out_refund_no: outRefundNo, amount: { refund, total: trade.total, currency: 'CNY' },
    });
    assert.equal(reply.status, 200, reply.text);
    return { outRefundNo, refundId: String(reply.body.refund_id) };
  }

  describe('the bill text', () => {
    it('should list the day\'s payments and accepted refunds in WeChat\'s ALL format, to the byte', async () => {
      now = beijing('2026-11-02T09:15:30');
      const a = await paidWithCommas(1280);
      now = beijing('2026-11-02T11:30:00');
      const b = await paidTrade(running.origin, { api: 'v3', total: 1000 });
      now = beijing('2026-11-02T14:00:00');
      const refundB = await refundV3(b, 300);
      now = beijing('2026-11-02T23:59:59');
      const c = await paidTrade(running.origin, { total: 1 });
      // The next Beijing day, by one second: another bill.
      now = beijing('2026-11-03T00:00:00');
      await paidTrade(running.origin, { total: 250 });
      now = beijing(TODAY);

      const reply = await download('20261102');
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('content-type'), 'text/plain; charset=utf-8');
      const expected = [
        ALL_DETAIL_HEADER,
        `\`2026-11-02 09:15:30,\`${APPID},\`${MCHID},\`0,\`,\`${a.transactionId},\`${a.outTradeNo},\`${PAYER_OPENID},\`JSAPI,\`SUCCESS,`
          + '`OTHERS,`CNY,`12.80,`0.00,`0,`0,`0.00,`0.00,`,`,`Coffee, large,`table=3,seat=2,`0.08000,`0.60%,`12.80,`0.00,`',
        `\`2026-11-02 11:30:00,\`${APPID},\`${MCHID},\`0,\`,\`${b.transactionId},\`${b.outTradeNo},\`${PAYER_OPENID},\`JSAPI,\`SUCCESS,`
          + '`OTHERS,`CNY,`10.00,`0.00,`0,`0,`0.00,`0.00,`,`,`Sandbox shop - coffee,`,`0.06000,`0.60%,`10.00,`0.00,`',
        `\`2026-11-02 14:00:00,\`${APPID},\`${MCHID},\`0,\`,\`${b.transactionId},\`${b.outTradeNo},\`${PAYER_OPENID},\`JSAPI,\`REFUND,`
          + `\`OTHERS,\`CNY,\`0.00,\`0.00,\`${refundB.refundId},\`${refundB.outRefundNo},\`3.00,\`0.00,\`ORIGINAL,\`PROCESSING,`
          + '`Sandbox shop - coffee,`,`-0.02000,`0.60%,`0.00,`3.00,`',
        `\`2026-11-02 23:59:59,\`${APPID},\`${MCHID},\`0,\`,\`${c.transactionId},\`${c.outTradeNo},\`${PAYER_OPENID},\`JSAPI,\`SUCCESS,`
          + '`OTHERS,`CNY,`0.01,`0.00,`0,`0,`0.00,`0.00,`,`,`Sandbox shop - coffee,`,`0.00000,`0.60%,`0.01,`0.00,`',
        ALL_SUMMARY_HEADER,
        // 12.80 + 10.00 + 0.01 settled; fees 0.08 + 0.06 - 0.02 + 0.00 (whole fen, half up)
        '`4,`22.81,`3.00,`0.00,`0.12000,`22.81,`3.00',
      ].join('\n');
      assert.equal(reply.text, expected);
      assert.equal(await billText(running.origin, '2026-11-02'), expected);
    });

    it('should put a refund on the day WeChat accepted it, as it stood then, and leave the payment\'s day as it was', async () => {
      now = beijing('2026-11-05T20:00:00');
      const paid = await paidTrade(running.origin, { total: 250 });
      const dayOfPayment = (await download('20261105')).text;
      now = beijing('2026-11-06T08:00:00');
      const fields = refundFields(paid.outTradeNo, { total_fee: 250, refund_fee: 250 });
      const accepted = await callRefundV2(running.tlsOrigin, fields);
      assert.equal(accepted.fields.result_code, 'SUCCESS', accepted.text);
      now = beijing('2026-11-06T08:05:00');
      await control(running.origin, 'POST', '/refund', { refundNo: fields.out_refund_no, outcome: 'SUCCESS', deliverNotify: false });
      now = beijing(TODAY);

      assert.equal((await download('20261105')).text, dayOfPayment, 'the payment\'s day does not change');
      assert.equal((await download('20261106')).text, [
        ALL_DETAIL_HEADER,
        `\`2026-11-06 08:00:00,\`${APPID},\`${MCHID},\`0,\`,\`${paid.transactionId},\`${paid.outTradeNo},\`${PAYER_OPENID},\`JSAPI,\`REFUND,`
          + `\`OTHERS,\`CNY,\`0.00,\`0.00,\`${accepted.fields.refund_id},\`${fields.out_refund_no},\`2.50,\`0.00,\`ORIGINAL,\`PROCESSING,`
          + '`Sandbox shop - coffee,`,`-0.02000,`0.60%,`0.00,`2.50,`',
        ALL_SUMMARY_HEADER,
        '`1,`0.00,`2.50,`0.00,`-0.02000,`0.00,`2.50',
      ].join('\n'));
    });

    it('should answer the same text gzipped with tar_type=GZIP', async () => {
      now = beijing('2026-11-07T12:00:00');
      await paidTrade(running.origin);
      now = beijing(TODAY);
      const reply = await download('20261107', { tar_type: 'GZIP' });
      assert.equal(reply.status, 200);
      assert.equal(reply.gzip, true, 'gzip magic 1f 8b');
      assert.equal(reply.headers.get('content-type'), 'application/x-gzip');
      assert.equal(reply.text, await billText(running.origin, '2026-11-07'));
    });

    it('should serve today\'s bill with what happened so far', async () => {
      const paid = await paidTrade(running.origin);
      const reply = await download('20261206');
      assert.equal(reply.status, 200);
      assert.match(reply.text, new RegExp(`\\n\`2026-12-06 10:00:00,.*,\`${paid.outTradeNo},`));
    });

    it('should never list an order that was not paid', async () => {
      now = beijing('2026-11-08T12:00:00');
      const fields = orderFields();
      await callV2(running.origin, 'unifiedorder', fields);
      await control(running.origin, 'POST', '/pay', { outTradeNo: fields.out_trade_no, result: 'FAIL', deliverNotify: false });
      now = beijing(TODAY);
      assert.equal((await download('20261108')).text, NO_BILL_EXIST);
    });
  });

  describe('failures', () => {
    it('should answer No Bill Exist (20002) in plain XML for a day without payments or refunds, GZIP asked or not', async () => {
      for (const overrides of [{}, { tar_type: 'GZIP' }]) {
        const reply = await download('20261120', overrides);
        failure(reply);
        assert.equal(reply.text, NO_BILL_EXIST);
      }
    });

    it('should answer invalid bill_date (20001) for a malformed day, a future day and one more than three months back', async () => {
      for (const billDate of [ '2026-11-02', '20261131', '2026110', '20261207', '20260905' ]) {
        const fields = failure(await download(billDate));
        assert.equal(fields.return_msg, 'invalid bill_date', billDate);
        assert.equal(fields.error_code, '20001', billDate);
      }
      // Three months back to the day is still kept.
      assert.equal((await download('20260906')).text, NO_BILL_EXIST);
    });

    it('should answer the day modes: Bill Creating, No Bill Exist whatever happened, and WRONG_HASH served normally', async () => {
      now = beijing('2026-11-09T12:00:00');
      await paidTrade(running.origin);
      now = beijing(TODAY);
      const normal = (await download('20261109')).text;

      await setBillDay(running.origin, '2026-11-09', 'CREATING');
      for (const overrides of [{}, { tar_type: 'GZIP' }]) {
        const fields = failure(await download('20261109', overrides));
        assert.equal(fields.return_msg, 'Bill Creating');
      }
      await setBillDay(running.origin, '2026-11-09', 'EMPTY');
      assert.equal((await download('20261109')).text, NO_BILL_EXIST);
      await setBillDay(running.origin, '2026-11-09', 'WRONG_HASH');
      assert.equal((await download('20261109')).text, normal, 'v2 has no hash: the bill is served as it is');
      await setBillDay(running.origin, '2026-11-09', 'NORMAL');
      assert.equal((await download('20261109')).text, normal);
    });

    it('should refuse a missing bill_date, a bill_type other than ALL and a tar_type other than GZIP', async () => {
      assert.equal(failure(await download('')).return_msg, 'missing parameter');
      assert.equal(failure(await download('20261102', { bill_type: 'NOPE' })).return_msg, 'invalid bill_type');
      assert.match(failure(await download('20261102', { bill_type: 'SUCCESS' })).return_msg, /^invalid bill_type/);
      assert.equal(failure(await download('20261102', { tar_type: 'ZIP' })).return_msg, 'invalid tar_type');
    });

    it('should check the request like every v2 call: signature, appid and mch_id', async () => {
      const tampered = { ...signRequest(downloadBillFields('20261102')), bill_date: '20261103' };
      assert.equal(failure(await postDownloadBill(running.origin, buildXml(tampered))).return_msg, '签名错误');
      assert.equal(failure(await download('20261102', { mch_id: '1900000002' })).return_msg, 'appid和mch_id不匹配');
      assert.equal(failure(await postDownloadBill(running.origin, 'not xml')).return_msg, 'XML格式错误');
    });

    it('should answer SYSTEMERROR and HTTP 500 when those faults are armed on downloadbill', async () => {
      await control(running.origin, 'POST', '/faults', { target: 'downloadbill', kind: 'SYSTEMERROR' });
      assert.equal(failure(await download('20261102')).return_msg, 'SYSTEMERROR');
      await control(running.origin, 'POST', '/faults', { target: 'downloadbill', kind: 'HTTP_500' });
      assert.equal((await download('20261102')).status, 500);
    });
  });
});
