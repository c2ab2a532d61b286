import assert from 'node:assert/strict';
import { verifyV2Signature } from '../../app/lib/wxpay/v2-sign';
import { SANDBOX_API_KEY, SANDBOX_APPID, SANDBOX_MCHID } from '../../sandbox/credentials';
import { callV2, control, V2Reply } from './support';
import {
  assertV3Signed,
  callRefundV2,
  callV3,
  newOutRefundNo,
  paidTrade,
  RefundSandbox,
  refundFields,
  startRefundSandbox,
  V3Reply,
} from './refund-support';

describe('test/sandbox/refund-faults.test.ts', () => {
  let running: RefundSandbox;

  before(async () => {
    running = await startRefundSandbox();
  });

  after(async () => {
    await running.close();
  });

  beforeEach(() => {
    running.sandbox.faults.clear();
  });

  const arm = (target: string, kind: string, extra: Record<string, unknown> = {}) =>
    control(running.origin, 'POST', '/faults', { target, kind, ...extra });

  async function v2RefundUnder(kind: string, target = 'refund'): Promise<{ reply: V2Reply; outTradeNo: string }> {
    const { outTradeNo } = await paidTrade(running.origin);
    assert.equal((await arm(target, kind)).status, 200);
    return { reply: await callRefundV2(running.tlsOrigin, refundFields(outTradeNo)), outTradeNo };
  }

  async function v3RefundUnder(kind: string): Promise<{ reply: V3Reply; outTradeNo: string }> {
    const trade = await paidTrade(running.origin, { api: 'v3' });
    assert.equal((await arm('refund', kind)).status, 200);
    const reply = await callV3(running.tlsOrigin, 'POST', '/v3/refund/domestic/refunds', {
      out_trade_no: trade.outTradeNo, out_refund_no: newOutRefundNo(), amount: { refund: 1, total: trade.total, currency: 'CNY' },
    });
    return { reply, outTradeNo: trade.outTradeNo };
  }

  describe('refund', () => {
    const v2Cases: Array<[ string, string ]> = [
      [ 'SYSTEMERROR', 'SYSTEMERROR' ],
      [ 'BUSY', 'SYSTEMERROR' ],
      [ 'NOTENOUGH', 'NOTENOUGH' ],
      [ 'FREQUENCY_LIMITED', 'FREQUENCY_LIMITED' ],
      [ 'USER_ACCOUNT_ABNORMAL', 'USER_ACCOUNT_ABNORMAL' ],
      [ 'BIZERR_NEED_RETRY', 'BIZERR_NEED_RETRY' ],
    ];
    v2Cases.forEach(([ kind, errCode ]) => {
      it(`should answer v2 err_code ${errCode} for ${kind}, signed, and refund nothing`, async () => {
        const { reply, outTradeNo } = await v2RefundUnder(kind);
        assert.equal(reply.fields.return_code, 'SUCCESS', reply.text);
        assert.equal(reply.fields.result_code, 'FAIL');
        assert.equal(reply.fields.err_code, errCode);
        assert.ok(reply.fields.err_code_des);
        assert.ok(verifyV2Signature(reply.fields, SANDBOX_API_KEY, 'MD5'));
        assert.deepEqual(running.sandbox.refunds.ofTrade(outTradeNo), []);
      });
    });

    const v3Cases: Array<[ string, number, string ]> = [
      [ 'SYSTEMERROR', 500, 'SYSTEM_ERROR' ],
      [ 'BIZERR_NEED_RETRY', 500, 'SYSTEM_ERROR' ],
      [ 'NOTENOUGH', 403, 'NOT_ENOUGH' ],
      [ 'USER_ACCOUNT_ABNORMAL', 403, 'USER_ACCOUNT_ABNORMAL' ],
      [ 'FREQUENCY_LIMITED', 429, 'FREQUENCY_LIMITED' ],
    ];
    v3Cases.forEach(([ kind, status, code ]) => {
      it(`should answer v3 ${status} ${code} for ${kind}, signed, and refund nothing`, async () => {
        const { reply, outTradeNo } = await v3RefundUnder(kind);
        assert.equal(reply.status, status, reply.text);
        assert.equal(reply.body.code, code);
        assertV3Signed(reply);
        assert.deepEqual(running.sandbox.refunds.ofTrade(outTradeNo), []);
      });
    });

    it('should answer an unsigned HTTP 500 page for HTTP_500, in v2 and v3', async () => {
      const v2 = await v2RefundUnder('HTTP_500');
      assert.equal(v2.reply.status, 500);
      assert.equal(v2.reply.fields.return_code, undefined);
      const v3 = await v3RefundUnder('HTTP_500');
      assert.equal(v3.reply.status, 500);
      assert.equal(v3.reply.headers.get('wechatpay-signature'), null);
    });

    it('should count a `pay` fault for refunds too', async () => {
      const { reply } = await v2RefundUnder('SYSTEMERROR', 'pay');
      assert.equal(reply.fields.err_code, 'SYSTEMERROR');
    });

    it('should apply a DELAYed refund before answering late: a merchant that timed out and re-submits gets the same refund', async () => {
      const { outTradeNo } = await paidTrade(running.origin);
      assert.equal((await arm('refund', 'DELAY', { delayMs: 400 })).status, 200);
      const fields = refundFields(outTradeNo, { refund_fee: 100 });
      await assert.rejects(callRefundV2(running.tlsOrigin, fields, 'MD5', undefined, 100), /no answer within 100 ms/);
      const [ applied ] = running.sandbox.refunds.ofTrade(outTradeNo);
      assert.equal(applied.outRefundNo, fields.out_refund_no);
      assert.equal(applied.status, 'PROCESSING');
      const again = await callRefundV2(running.tlsOrigin, fields);
      assert.equal(again.fields.result_code, 'SUCCESS', again.text);
      assert.equal(again.fields.refund_id, applied.refundId);
      assert.equal(running.sandbox.refunds.ofTrade(outTradeNo).length, 1);
    });

    it('should do the same for a DELAYed v3 refund', async () => {
      const trade = await paidTrade(running.origin, { api: 'v3' });
      assert.equal((await arm('refund', 'DELAY', { delayMs: 150 })).status, 200);
      const started = Date.now();
      const reply = await callV3(running.tlsOrigin, 'POST', '/v3/refund/domestic/refunds', {
        out_trade_no: trade.outTradeNo, out_refund_no: newOutRefundNo(), amount: { refund: 1, total: trade.total, currency: 'CNY' },
      });
      assert.ok(Date.now() - started >= 140);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(running.sandbox.refunds.ofTrade(trade.outTradeNo).length, 1);
    });
  });

  describe('refundquery', () => {
    it('should answer v2 SYSTEMERROR and v3 500 SYSTEM_ERROR, then the refund again', async () => {
      const { outTradeNo } = await paidTrade(running.origin);
      const fields = refundFields(outTradeNo);
      await callRefundV2(running.tlsOrigin, fields);
      const query = () => callV2(running.origin, 'refundquery', { appid: SANDBOX_APPID, mch_id: SANDBOX_MCHID, out_refund_no: fields.out_refund_no });
      await arm('refundquery', 'SYSTEMERROR');
      assert.equal((await query()).fields.err_code, 'SYSTEMERROR');
      assert.equal((await query()).fields.result_code, 'SUCCESS');
      await arm('refundquery', 'FREQUENCY_LIMITED');
      const v3 = await callV3(running.tlsOrigin, 'GET', `/v3/refund/domestic/refunds/${fields.out_refund_no}`);
      assert.equal(v3.status, 429, v3.text);
      await arm('refundquery', 'SYSTEMERROR', { count: 2 });
      assert.equal((await callV3(running.tlsOrigin, 'GET', `/v3/refund/domestic/refunds/${fields.out_refund_no}`)).status, 500);
      assert.equal((await query()).fields.err_code, 'SYSTEMERROR');
      assert.equal((await query()).fields.refund_status_0, 'PROCESSING');
    });
  });

  describe('POST /sandbox/control/faults', () => {
    it('should list the refund targets and kinds', async () => {
      const listed = await control(running.origin, 'GET', '/faults');
      for (const target of [ 'refund', 'refundquery' ]) assert.ok((listed.body.targets as string[]).includes(target));
      for (const kind of [ 'NOTENOUGH', 'FREQUENCY_LIMITED', 'USER_ACCOUNT_ABNORMAL', 'BIZERR_NEED_RETRY', 'SYSTEMERROR', 'HTTP_500', 'DELAY' ]) {
        assert.ok((listed.body.kinds as string[]).includes(kind), kind);
      }
    });

    it('should refuse refund refusals on calls that cannot meet them', async () => {
      for (const [ target, kind ] of [[ 'refundquery', 'NOTENOUGH' ], [ 'pay', 'NOTENOUGH' ], [ 'unifiedorder', 'USER_ACCOUNT_ABNORMAL' ],
        [ 'refundquery', 'BIZERR_NEED_RETRY' ], [ 'prepay', 'FREQUENCY_LIMITED' ]]) {
        const reply = await arm(target, kind);
        assert.equal(reply.status, 400, `${target} ${kind}`);
        assert.equal(reply.body.code, 'INVALID_FAULT');
      }
    });
  });
});
