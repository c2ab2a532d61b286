'use strict';

/**
 * What bench/shutdown-storm.js and bench/retention-notify.js share: a fresh
 * table of PENDING bench orders, signed v2 pay notifies for them, and a storm
 * of those notifies over plain node:http with C keep-alive connections that
 * records, per request, whether it was acknowledged, answered otherwise,
 * refused before being sent (ECONNREFUSED: the server had stopped accepting)
 * or dropped after it was sent (reset or closed with no reply: the failure a
 * graceful shutdown must never produce).
 */

const http = require('node:http');
const { signV2, toXml } = require('./common');

const OPENID = 'bench-storm-user';
const orderNoOf = (tag, i) => `BS${tag}${String(i).padStart(8, '0')}`;
const amountOf = i => 100 + (i % 9900);
const transactionIdOf = (tag, i) => `4200${String(i).padStart(10, '0')}${tag}`;

/** Empties the order tables and inserts `count` PENDING orders; returns their tag. */
async function freshOrders(db, count, { keepEvents = false } = {}) {
  await db.query('SET FOREIGN_KEY_CHECKS = 0');
  const tables = keepEvents ? [ 'order_items', 'orders', 'users' ] : [ 'payment_events', 'order_items', 'orders', 'users' ];
  for (const table of tables) await db.query(`TRUNCATE TABLE ${table}`);
  await db.query('SET FOREIGN_KEY_CHECKS = 1');
  const now = new Date();
  const [ user ] = await db.query('INSERT INTO users (openid, created_at, updated_at) VALUES (?, ?, ?)', [ OPENID, now, now ]);
  const tag = Date.now().toString(36).slice(-6).toUpperCase();
  const expiresAt = new Date(now.getTime() + 7 * 86400_000);
  for (let start = 0; start < count; start += 5000) {
    const rows = [];
    for (let i = start; i < Math.min(count, start + 5000); i++) {
      rows.push([ orderNoOf(tag, i), user.insertId, amountOf(i), 'bench order', 'PENDING', expiresAt, now, now ]);
    }
    await db.query('INSERT INTO orders (order_no, user_id, amount, description, status, expires_at, created_at, updated_at) VALUES ?', [ rows ]);
  }
  return tag;
}

/** The signed v2 notify of order `i`, as WeChat Pay sends it. */
function notifyBody({ appId, mchId, apiKey, signType }, tag, i) {
  const fields = {
    appid: appId, bank_type: 'OTHERS', cash_fee: String(amountOf(i)), fee_type: 'CNY', is_subscribe: 'N', mch_id: mchId,
    nonce_str: `n${tag}${i}`, openid: OPENID, out_trade_no: orderNoOf(tag, i), result_code: 'SUCCESS', return_code: 'SUCCESS',
    sign_type: signType === 'MD5' ? undefined : signType,
    time_end: new Date(Date.now() + 8 * 3600_000).toISOString().replace(/\D/g, '').slice(0, 14),
    total_fee: String(amountOf(i)), trade_type: 'JSAPI', transaction_id: transactionIdOf(tag, i),
  };
  fields.sign = signV2(fields, apiKey, signType);
  return Buffer.from(toXml(fields));
}

/**
 * Sends notifies of orders 0, 1, 2, … over `connections` keep-alive sockets
 * until `shouldStop()` or the orders run out. A connection that is refused
 * waits 50 ms and tries again (a client retrying elsewhere would do the same)
 * until `shouldStop()`. Returns per-order outcomes.
 */
async function storm({ baseUrl, keys, tag, orders, connections, shouldStop }) {
  const url = new URL('/api/pay/notify', baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const outcome = { acked: [], answeredOther: 0, refused: 0, dropped: 0, droppedOrders: [], droppedKinds: {}, sent: 0, latencies: [] };
  let next = 0;
  const one = i => new Promise(resolve => {
    const body = notifyBody(keys, tag, i);
    const started = process.hrtime.bigint();
    const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'text/xml', 'Content-Length': body.length } }, res => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', chunk => { text += chunk; });
      res.on('end', () => {
        outcome.latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (res.statusCode === 200 && text.includes('<return_code><![CDATA[SUCCESS]]>')) outcome.acked.push(i);
        else outcome.answeredOther++;
        resolve('answered');
      });
      res.on('error', () => { outcome.dropped++; outcome.droppedOrders.push(i); resolve('dropped'); });
    });
    req.on('error', err => {
      // refused: the server no longer accepted connections, nothing was sent
      if (err.code === 'ECONNREFUSED') { outcome.refused++; resolve('refused'); return; }
      // anything else after sending, e.g. a keep-alive socket reset: the SQL check tells
      // whether the server had processed it (order PAID) or never read it
      outcome.dropped++;
      outcome.droppedOrders.push(i);
      const kind = `${err.code || err.message}${req.reusedSocket ? ' (reused keep-alive socket)' : ''}`;
      outcome.droppedKinds[kind] = (outcome.droppedKinds[kind] || 0) + 1;
      resolve('dropped');
    });
    req.end(body);
  });
  const worker = async () => {
    while (!shouldStop() && next < orders) {
      const i = next++;
      outcome.sent++;
      const result = await one(i);
      if (result === 'refused') await new Promise(resolve => setTimeout(resolve, 50));
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  agent.destroy();
  return outcome;
}

function percentile(values, p) {
  if (!values.length) return 0;
  const sorted = [ ...values ].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

module.exports = { freshOrders, notifyBody, storm, orderNoOf, transactionIdOf, percentile };
