import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { app, mock } from 'egg-mock/bootstrap';
import { QueryTypes } from 'sequelize';
import { bearer, seedProducts } from '../../support/client';
import { eventually } from '../../support/sandbox';
import { buildV2Notify, postV2Notify } from '../../support/v2-notify';
import { buildV3Notify, postV3Notify } from '../../support/v3-notify';
import { mockWechatPayConfig } from '../wechatpay-config';
import { appOrigin, WechatRelay } from '../wechat-relay';
import { filesUnder, flushLogs } from '../logs';

// Rule: no secret is ever logged, returned, dumped by egg under run/, or kept in
// payment_events. Checked on what is really written: after a flow through every
// path that handles a secret (login, v2 MD5, v2 HMAC-SHA256 and v3 payments,
// queries, closes, valid and forged notifies), the log files, the config dump
// files and the audit rows are read back and searched.

interface Secret {
  name: string;
  value: string;
}

/** A line from the middle of a PEM body: distinctive, and whole in any log line that would print the key. */
function pemBodyLine(pem: string): string {
  const lines = pem.split(/\r?\n/).filter(line => line && !line.startsWith('-----'));
  assert.ok(lines.length > 4, 'the merchant private key is not PEM text');
  return lines[Math.floor(lines.length / 2)];
}

describe('test/app/rules/no_secrets.test.ts', () => {
  const replies: string[] = [];
  let secrets: Secret[] = [];
  let auditRows: Array<Record<string, unknown>> = [];
  let marker = '';

  function assertNoSecret(where: string, text: string): void {
    for (const { name, value } of secrets) {
      const forms = new Set([ value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1) ]);
      for (const form of forms) {
        const at = text.indexOf(form);
        assert.equal(at, -1, `${where} contains the ${name} (at offset ${at})`);
      }
    }
  }

  // The whole flow runs once; each test below reads back one kind of output.
  before(async function() {
    this.timeout(60000);
    const relay = await new WechatRelay(appOrigin(app.config.wechat.apiBase)).start();
    try {
      // Logins go through a relay that records what the sandbox answers: its session_key is a secret to look for.
      mock(app.config.wechat, 'apiBase', `${relay.origin}/sandbox/wechat`);
      const run = randomBytes(4).toString('hex');
      const login = await app.httpRequest().post('/api/login').send({ code: `keeper.${run}` })
        .expect(200);
      replies.push(login.text);
      const token: string = login.body.token;
      replies.push((await app.httpRequest().post('/api/login').send({ code: `keeper.${run}` })
        .expect(401)).text); // a used code
      replies.push((await app.httpRequest().post('/api/login').send({ code: `invalid.${run}` })
        .expect(401)).text);
      await app.httpRequest().post('/sandbox/control/faults').send({ target: 'jscode2session', kind: 'HTTP_500' })
        .expect(200);
      replies.push((await app.httpRequest().post('/api/login').send({ code: `keeper.${run}b` })
        .expect(503)).text);

      const [ product ] = await seedProducts(app, [{ name: 'Secret Latte', price: 2600, stock: 100 }]);
      const auth = bearer(token);
      const createOrder = async () => {
        const res = await app.httpRequest().post('/api/orders').set('authorization', auth)
          .send({ items: [{ productId: product.id, quantity: 1 }] })
          .expect(201);
        replies.push(res.text);
        return { orderNo: res.body.orderNo as string, amount: res.body.amount as number };
      };
      const prepay = async (orderNo: string) => {
        const res = await app.httpRequest().post(`/api/orders/${orderNo}/pay`).set('authorization', auth)
          .expect(200);
        replies.push(res.text);
        return String(res.body.package).replace(/^prepay_id=/, '');
      };
      const payerPays = async (prepayId: string, deliverNotify: boolean) => {
        await app.httpRequest().post('/sandbox/control/pay').send({ prepayId, deliverNotify })
          .expect(200);
      };
      const status = async (orderNo: string) => (await app.model.Order.findOne({ where: { orderNo } }))!.status;
      const show = async (orderNo: string, query = '') => {
        const res = await app.httpRequest().get(`/api/orders/${orderNo}${query}`).set('authorization', auth)
          .expect(200);
        replies.push(res.text);
        return res.body;
      };

      /** pay + notify, pay + query, pay + close, and forged notifies, in the configured API version. */
      const payAllWays = async () => {
        const notified = await createOrder();
        await payerPays(await prepay(notified.orderNo), true);
        await eventually(async () => (await status(notified.orderNo)) === 'PAID');

        const queried = await createOrder();
        await payerPays(await prepay(queried.orderNo), false);
        assert.equal((await show(queried.orderNo, '?refresh=1')).status, 'PAID');

        const closed = await createOrder();
        await prepay(closed.orderNo);
        const res = await app.httpRequest().post(`/api/orders/${closed.orderNo}/close`).set('authorization', auth)
          .expect(200);
        replies.push(res.text);
        return { notified, queried, closed };
      };

      // v2, MD5
      const md5 = await payAllWays();
      const v2Fields = { out_trade_no: md5.closed.orderNo, total_fee: md5.closed.amount, transaction_id: '4200000007202611221000000001' };
      for (const body of [
        buildV2Notify(app, v2Fields, { key: 'x'.repeat(32) }), // signed with another key
        buildV2Notify(app, v2Fields).replace(/<sign>.*<\/sign>/, ''), // unsigned
        buildV2Notify(app, { ...v2Fields, total_fee: 1 }), // wrong amount
        '<xml><return_code>SUCCESS</return_code>', // malformed
      ]) {
        assert.equal((await postV2Notify(app, body)).reply.return_code, 'FAIL');
      }
      // v2, HMAC-SHA256
      mockWechatPayConfig(app, { signType: 'HMAC-SHA256' });
      const hmac = await payAllWays();
      assert.equal((await postV2Notify(app, buildV2Notify(app, {
        out_trade_no: hmac.closed.orderNo, total_fee: hmac.closed.amount, transaction_id: '4200000007202611221000000002',
      }, { key: 'y'.repeat(32) }))).reply.return_code, 'FAIL');

      // v3
      mock(app.config.wxpay, 'apiVersion', 'v3');
      mock(app.config.wxpay, 'notifyUrl', app.config.wxpay.notifyUrl.replace(/\/api\/pay\/notify$/, '/api/pay/notify/v3'));
      const v3 = await payAllWays();
      const transaction = {
        out_trade_no: v3.closed.orderNo,
        transaction_id: '4200000007202611221000000003',
        amount: { total: v3.closed.amount, payer_total: v3.closed.amount, currency: 'CNY', payer_currency: 'CNY' },
      };
      const good = buildV3Notify(app, transaction);
      const forged = [
        { body: good.body, headers: { ...good.headers, 'Wechatpay-Signature': Buffer.alloc(256, 7).toString('base64') } },
        { body: good.body, headers: { ...good.headers, 'Wechatpay-Serial': 'PUB_KEY_ID_UNKNOWN' } },
        buildV3Notify(app, transaction, { apiV3Key: 'k'.repeat(32) }),
        buildV3Notify(app, transaction, { timestamp: String(Math.floor(Date.now() / 1000) - 3600) }),
      ];
      for (const notify of forged) {
        const res = await postV3Notify(app, notify);
        assert.ok(res.status >= 400, `a forged v3 notify answered ${res.status}`);
        replies.push(JSON.stringify(res.body));
      }
      // a valid one for the closed order, and a duplicate of it
      for (let i = 0; i < 2; i++) assert.ok((await postV3Notify(app, good)).status < 300);

      auditRows = await app.model.query('SELECT * FROM payment_events', { type: QueryTypes.SELECT });
      assert.ok(auditRows.length >= 12, `the flow left only ${auditRows.length} payment_events rows`);
      // every leg really ran: a notify signed with HMAC-SHA256 and a v3 one were received and audited
      const bodies = auditRows.map(row => String(row.raw_body ?? row.rawBody ?? ''));
      assert.ok(bodies.some(body => body.includes('<sign_type><![CDATA[HMAC-SHA256]]></sign_type>') || body.includes('<sign_type>HMAC-SHA256</sign_type>')),
        'no HMAC-SHA256 notify was audited: the HMAC-SHA256 leg did not run');
      assert.ok(bodies.some(body => body.includes('"resource"')), 'no v3 notify was audited');

      mock.restore();
      const sessionKeys = relay.exchanges
        .filter(exchange => exchange.path.endsWith('/sns/jscode2session'))
        .map(exchange => { try { return JSON.parse(exchange.body).session_key; } catch { return undefined; } })
        .filter((key): key is string => typeof key === 'string' && key.length > 0);
      assert.ok(sessionKeys.length >= 1, 'the relay saw no session_key: the login did not go through it');
      const { wechat, wxpay, auth: authConfig } = app.config;
      secrets = [
        { name: 'v2 API key', value: wxpay.apiKey },
        { name: 'APIv3 key', value: wxpay.apiV3Key },
        { name: 'merchant private key', value: pemBodyLine(wxpay.privateKey) },
        { name: 'token secret', value: authConfig.tokenSecret },
        { name: 'app secret', value: wechat.secret },
        ...sessionKeys.map(value => ({ name: 'session_key', value })),
      ];
      // The agent loads its own config (agent_config.json): in local and unittest its sandbox key pair is its own.
      const agentKey = (app as unknown as { agent?: { config?: typeof app.config } }).agent?.config?.wxpay?.privateKey;
      if (agentKey && agentKey !== wxpay.privateKey) secrets.push({ name: 'merchant private key (agent)', value: pemBodyLine(agentKey) });
      for (const { name, value } of secrets) assert.ok(value.length >= 16, `the ${name} is too short to search for`);
      // MySQL credentials, when DATABASE_URL carries a password
      const databasePassword = (app.config as unknown as { sequelize?: { password?: string } }).sequelize?.password;
      if (databasePassword && databasePassword.length >= 4) secrets.push({ name: 'database password', value: databasePassword });

      marker = `[no_secrets.test] flushed ${randomBytes(8).toString('hex')}`;
      app.logger.info(marker);
      await flushLogs(app);
    } finally {
      mock.restore();
      await relay.close();
    }
  });

  it('should write no secret into any log file', () => {
    const files = filesUnder(app.config.logger.dir);
    assert.ok(files.length > 0, `no log files under ${app.config.logger.dir}`);
    let sawMarker = false;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      if (text.includes(marker)) sawMarker = true;
      assertNoSecret(`log file ${file}`, text);
    }
    assert.ok(sawMarker, 'the logs read back do not hold what was just logged: they were not flushed or are elsewhere');
  });

  it('should write no secret into egg\'s config dump', () => {
    const { rundir } = app.config;
    const names = readdirSync(rundir).filter(name => /^(application|agent)_config.*\.json$/.test(name));
    assert.ok(names.includes('application_config.json'), `no application_config.json under ${rundir}`);
    assert.ok(names.includes('application_config_meta.json'), `no application_config_meta.json under ${rundir}`);
    for (const name of names) assertNoSecret(`config dump ${name}`, readFileSync(path.join(rundir, name), 'utf8'));
  });

  it('should keep no secret in payment_events (raw bodies included)', () => {
    const withBodies = auditRows.filter(row => row.raw_body ?? row.rawBody);
    assert.ok(withBodies.length >= 10, 'the audit kept too few raw bodies to be checked');
    for (const row of auditRows) assertNoSecret(`payment_events row ${row.id}`, JSON.stringify(row));
  });

  it('should return no secret in any API reply', () => {
    assert.ok(replies.length > 10);
    for (const reply of replies) assertNoSecret('an API reply', reply);
    assert.ok(replies.every(reply => !/session_key/i.test(reply)), 'an API reply names session_key');
  });
});
