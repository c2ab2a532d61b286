#!/usr/bin/env node
'use strict';

/**
 * Notify throughput beside the payment_events retention: a table holding
 * BENCH_OLD_EVENTS audit rows older than the retention (500 days), then a
 * notify storm (signed v2 notifies, distinct PENDING orders, C keep-alive
 * connections) for BENCH_DURATION seconds while the app's retention schedule
 * runs or not (run.sh starts the app both ways, PAYMENT_EVENTS_RETENTION_INTERVAL=1s
 * for "with"). Prints notifies/s, p50/p99 and how many old rows went during the run.
 *
 *   --fill=1: refill (orders and old rows); otherwise the orders paid by the last run are
 *   set back to PENDING and the young audit rows deleted, the old ones kept as they are.
 * Environment as bench/shutdown-storm.js, plus BENCH_OLD_EVENTS (1500000), BENCH_LABEL.
 */

const mysql = require('mysql2/promise');
const { intOption, required, mysqlOptions, assertBenchDatabase, option, machine } = require('./common');
const { freshOrders, storm, orderNoOf, transactionIdOf, percentile } = require('./v2-notify-storm');

const OLD_DAYS = 500;
const config = {
  baseUrl: option('base-url', 'BASE_URL', 'http://127.0.0.1:7401'),
  databaseUrl: required('DATABASE_URL'),
  connections: intOption('connections', 'BENCH_CONNECTIONS', 32, { min: 1, max: 1024 }),
  duration: intOption('duration', 'BENCH_DURATION', 15, { min: 1, max: 600 }),
  orders: intOption('orders', 'BENCH_ORDERS', 100000, { min: 1000, max: 2_000_000 }),
  oldEvents: intOption('old-events', 'BENCH_OLD_EVENTS', 1_500_000, { min: 1000, max: 10_000_000 }),
  fill: option('fill', 'BENCH_FILL', '0') === '1',
  label: option('label', 'BENCH_LABEL', ''),
};
const keys = {
  appId: required('WECHAT_APPID'), mchId: required('WECHATPAY_MCHID'), apiKey: required('WECHATPAY_API_KEY'),
  signType: option('sign-type', 'WECHATPAY_SIGN_TYPE', 'MD5'),
};

/** BENCH_OLD_EVENTS rows 500 days old, as notifies leave them (a ~700-byte raw body), by doubling INSERT … SELECT. */
async function fillOldEvents(db) {
  // whole seconds: DATETIME keeps no fraction, and the copies select their seed by equality
  const at = new Date(Math.floor((Date.now() - OLD_DAYS * 86400_000) / 1000) * 1000);
  const body = `<xml>${'x'.repeat(700)}</xml>`;
  const seed = [];
  for (let i = 0; i < 1000; i++) seed.push([ `OLD${i}`, 'notify', 'v2', true, 'PAID', `4200OLD${i}`, 100, body, at ]);
  await db.query('INSERT INTO payment_events (order_no, source, api_version, verified, outcome, transaction_id, amount, raw_body, created_at) VALUES ?', [ seed ]);
  for (let n = 1000; n < config.oldEvents;) {
    const take = Math.min(n, config.oldEvents - n);
    const [ inserted ] = await db.query('INSERT INTO payment_events (order_no, source, api_version, verified, outcome, transaction_id, amount, raw_body, created_at) '
      + `SELECT order_no, source, api_version, verified, outcome, transaction_id, amount, raw_body, created_at FROM payment_events WHERE created_at = ? LIMIT ${take}`, [ at ]);
    if (inserted.affectedRows !== take) throw new Error(`old rows: ${inserted.affectedRows} copied, ${take} expected`);
    n += take;
  }
}

async function oldCount(db) {
  const [[ row ]] = await db.query('SELECT COUNT(*) AS n FROM payment_events WHERE created_at < ?', [ new Date(Date.now() - 400 * 86400_000) ]);
  return Number(row.n);
}

async function main() {
  const dbOptions = mysqlOptions(config.databaseUrl);
  assertBenchDatabase(dbOptions);
  const db = await mysql.createConnection(dbOptions);
  let tag;
  if (config.fill) {
    tag = await freshOrders(db, config.orders);
    const started = Date.now();
    await fillOldEvents(db);
    console.log(`  filled ${config.oldEvents} old payment_events rows in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    // InnoDB writes the fill's dirty pages out first, or the first run competes with that flushing
    await require('./notify-v2').settle(db);
  } else {
    const [ rows ] = await db.query('SELECT order_no FROM orders ORDER BY id LIMIT 1');
    tag = rows[0].order_no.slice(2, 8);
    await db.query("UPDATE orders SET status = 'PENDING', transaction_id = NULL, paid_at = NULL WHERE status <> 'PENDING'");
    await db.query('DELETE FROM payment_events WHERE created_at > ?', [ new Date(Date.now() - 86400_000) ]);
  }
  const oldBefore = await oldCount(db);
  const started = Date.now();
  const result = await storm({
    baseUrl: config.baseUrl, keys, tag, orders: config.orders, connections: config.connections,
    shouldStop: () => Date.now() - started >= config.duration * 1000,
  });
  const seconds = (Date.now() - started) / 1000;
  const oldAfter = await oldCount(db);
  const [ paidRows ] = await db.query("SELECT order_no, transaction_id FROM orders WHERE status = 'PAID'");
  const paid = new Map(paidRows.map(row => [ row.order_no, row.transaction_id ]));
  const lost = result.acked.filter(i => paid.get(orderNoOf(tag, i)) !== transactionIdOf(tag, i)).length;
  await db.end();
  const figures = {
    label: config.label, connections: config.connections, seconds,
    notifiesPerSecond: Math.round(result.acked.length / seconds),
    p50Ms: +percentile(result.latencies, 0.5).toFixed(1), p99Ms: +percentile(result.latencies, 0.99).toFixed(1),
    acknowledged: result.acked.length, failed: result.answeredOther + result.dropped + result.refused,
    oldRowsBefore: oldBefore, oldRowsDeleted: oldBefore - oldAfter, lostAcks: lost,
  };
  console.log(`retention-notify [${config.label}]: ${figures.notifiesPerSecond} notifies/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, `
    + `${figures.acknowledged} acknowledged, ${figures.failed} not; old audit rows ${oldBefore} → ${oldAfter} (${figures.oldRowsDeleted} deleted during the run)`);
  console.log(`BENCH_RESULT ${JSON.stringify({ bench: 'retention-notify', date: new Date().toISOString(), machine: machine(), ...figures })}`);
  if (lost > 0 || figures.failed > 0) process.exitCode = 1;
}

main().catch(err => { console.error(err); process.exit(1); });
