import assert from 'node:assert/strict';
import { app, mock } from 'egg-mock/bootstrap';
import { pendingOrder } from '../../support/orders';
import { buildV2Notify, postV2Notify } from '../../support/v2-notify';

const TOKEN = 'metrics-token-0123456789abcdef';

/** The value of one sample of a scrape's text, 0 when the series is absent (e.g. a counter never incremented). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find(l => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function scrape(): Promise<string> {
  const res = await app.httpRequest().get('/metrics').set('authorization', `Bearer ${TOKEN}`);
  assert.equal(res.status, 200);
  assert.match(res.type, /^text\/plain/);
  return res.text;
}

describe('test/app/controller/metrics.test.ts', () => {
  afterEach(() => mock.restore());

  it('should not exist without METRICS_TOKEN, answering like any unknown route', async () => {
    assert.equal(app.config.metrics.token, '');
    const res = await app.httpRequest().get('/metrics').set('authorization', `Bearer ${TOKEN}`);
    assert.equal(res.status, 404);
    assert.equal(res.body.code, 'NOT_FOUND');
    assert.doesNotMatch(res.text, /wxpay_/);
  });

  describe('with METRICS_TOKEN', () => {
    beforeEach(() => mock(app.config.metrics, 'token', TOKEN));

    it('should answer 401 without the token or with another one, and show nothing', async () => {
      for (const authorization of [ undefined, 'Bearer wrong-token-0123456789abcdef', `Basic ${TOKEN}`, `Bearer ${TOKEN}x` ]) {
        const req = app.httpRequest().get('/metrics');
        if (authorization) req.set('authorization', authorization);
        const res = await req;
        assert.equal(res.status, 401, authorization);
        assert.equal(res.body.code, 'UNAUTHORIZED');
        assert.equal(res.headers['www-authenticate'], 'Bearer realm="metrics"');
        assert.doesNotMatch(res.text, /wxpay_/);
      }
    });

    it('should serve Prometheus text gathered through the agent: process, pool and service metrics', async () => {
      const text = await scrape();
      assert.match(text, /^# HELP process_cpu_user_seconds_total /m);
      assert.match(text, /^nodejs_heap_size_used_bytes \d+/m);
      assert.equal(sample(text, 'wxpay_db_pool_max_connections'), (app.config.sequelize as { pool: { max: number } }).pool.max);
      assert.match(text, /^# TYPE wxpay_notify_total counter$/m);
      assert.match(text, /^# TYPE wxpay_settlement_duration_seconds histogram$/m);
      // every notify series exists from the start, so a rate over it has data before the first such notify
      for (const kind of [ 'payment', 'refund' ]) {
        for (const apiVersion of [ 'v2', 'v3' ]) {
          for (const outcome of [ 'acknowledged', 'refused', 'failed' ]) {
            assert.match(text, new RegExp(`^wxpay_notify_total\\{kind="${kind}",api_version="${apiVersion}",outcome="${outcome}"\\} \\d+$`, 'm'));
            assert.match(text, new RegExp(`^wxpay_notify_duration_seconds_count\\{kind="${kind}",api_version="${apiVersion}",outcome="${outcome}"\\} \\d+$`, 'm'));
          }
        }
      }
    });

    it('should count a paid notify, its settlement and latency, and the call to WeChat before it', async () => {
      const before = await scrape();
      const { orderNo, amount } = await pendingOrder(app);
      const body = buildV2Notify(app, { out_trade_no: orderNo, total_fee: amount, cash_fee: amount, transaction_id: '4200000001202611229999999999' });
      assert.equal((await postV2Notify(app, body)).reply.return_code, 'SUCCESS');
      assert.equal((await postV2Notify(app, body)).reply.return_code, 'SUCCESS');
      const tampered = body.replace(`<total_fee>${amount}</total_fee>`, '<total_fee>1</total_fee>');
      assert.equal((await postV2Notify(app, tampered)).reply.return_code, 'FAIL');
      const after = await scrape();

      const delta = (series: string) => sample(after, series) - sample(before, series);
      assert.equal(delta('wxpay_notify_total{kind="payment",api_version="v2",outcome="acknowledged"}'), 2);
      assert.equal(delta('wxpay_notify_total{kind="payment",api_version="v2",outcome="refused"}'), 1);
      assert.equal(delta('wxpay_notify_duration_seconds_count{kind="payment",api_version="v2",outcome="acknowledged"}'), 2);
      assert.equal(delta('wxpay_settlement_total{source="notify",outcome="PAID"}'), 1);
      assert.equal(delta('wxpay_settlement_total{source="notify",outcome="DUPLICATE"}'), 1);
      assert.equal(delta('wxpay_settlement_duration_seconds_count{source="notify"}'), 2);
      // pendingOrder logged in: one code2Session call to (the simulated) WeChat
      assert.equal(delta('wxpay_upstream_requests_total{upstream="wechat",operation="code2Session",result="ok"}'), 1);
      assert.equal(delta('wxpay_upstream_request_duration_seconds_count{upstream="wechat",operation="code2Session",result="ok"}'), 1);
      // no order number ever becomes a label
      assert.doesNotMatch(after, new RegExp(orderNo));
    });

    it('should count the order reconciliation schedule\'s runs', async () => {
      const before = await scrape();
      await app.mockContext().service.reconciliation.run();
      const after = await scrape();
      const series = 'wxpay_reconciliation_runs_total{job="orders",status="DONE"}';
      assert.equal(sample(after, series) - sample(before, series), 1);
    });

    it('should answer 503 rather than a partial sum when the workers do not all answer', async () => {
      mock(app.config.metrics, 'scrapeTimeoutMs', 200);
      // the agent hears the scrape but nobody answers it
      mock(app.messenger, 'sendToAgent', () => app.messenger);
      const res = await app.httpRequest().get('/metrics').set('authorization', `Bearer ${TOKEN}`);
      assert.equal(res.status, 503);
      assert.equal(res.body.code, 'METRICS_UNAVAILABLE');
    });
  });
});
