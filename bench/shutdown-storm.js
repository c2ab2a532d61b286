#!/usr/bin/env node
'use strict';

/**
 * Graceful shutdown under load: fires signed v2 notifies at the running prod
 * build (C keep-alive connections), runs the stop command (run.sh passes
 * `egg-scripts stop --title=…`: SIGTERM to the master) after BENCH_STOP_AFTER
 * seconds, keeps firing until the stop command has returned, then checks in SQL:
 *   - every notify answered SUCCESS is a PAID order with its own transaction_id
 *     (no acknowledged payment lost);
 *   - requests sent but never answered (reset or closed after being sent) are
 *     counted, with whether the server had processed them (order PAID, audit
 *     row) — accepted-then-dropped is the failure this bench exists to catch;
 *   - connections refused after the listener closed are counted apart (fine:
 *     a load balancer or WeChat's retry takes them elsewhere / later).
 *
 * Environment: BASE_URL, DATABASE_URL (name contains "bench"), WECHAT_APPID,
 *   WECHATPAY_MCHID, WECHATPAY_API_KEY, [WECHATPAY_SIGN_TYPE], BENCH_STOP_COMMAND,
 *   BENCH_CONNECTIONS (32), BENCH_STOP_AFTER (4 s), BENCH_ORDERS (100000).
 * Prints the figures and a `BENCH_RESULT {json}` line; exits 1 if a check fails.
 */

const { spawn } = require('node:child_process');
const mysql = require('mysql2/promise');
const { intOption, required, mysqlOptions, assertBenchDatabase, option, sleep, machine } = require('./common');
const { freshOrders, storm, orderNoOf, transactionIdOf, percentile } = require('./v2-notify-storm');

const config = {
  baseUrl: option('base-url', 'BASE_URL', 'http://127.0.0.1:7401'),
  databaseUrl: required('DATABASE_URL'),
  stopCommand: required('BENCH_STOP_COMMAND'),
  connections: intOption('connections', 'BENCH_CONNECTIONS', 32, { min: 1, max: 1024 }),
  stopAfter: intOption('stop-after', 'BENCH_STOP_AFTER', 4, { min: 1, max: 60 }),
  orders: intOption('orders', 'BENCH_ORDERS', 100000, { min: 1000, max: 2_000_000 }),
};
const keys = {
  appId: required('WECHAT_APPID'), mchId: required('WECHATPAY_MCHID'), apiKey: required('WECHATPAY_API_KEY'),
  signType: option('sign-type', 'WECHATPAY_SIGN_TYPE', 'MD5'),
};

async function main() {
  const dbOptions = mysqlOptions(config.databaseUrl);
  assertBenchDatabase(dbOptions);
  const db = await mysql.createConnection(dbOptions);
  const tag = await freshOrders(db, config.orders);

  let stopStartedAt = 0;
  let stopEndedAt = 0;
  const stormStarted = Date.now();
  const stopper = sleep(config.stopAfter * 1000).then(() => new Promise(resolve => {
    stopStartedAt = Date.now();
    const child = spawn('sh', [ '-c', config.stopCommand ], { stdio: 'ignore' });
    child.on('exit', () => { stopEndedAt = Date.now(); resolve(); });
  }));
  // firing goes on until the stop command has returned, and one more second of refusals
  const result = await storm({
    baseUrl: config.baseUrl, keys, tag, orders: config.orders, connections: config.connections,
    shouldStop: () => stopEndedAt > 0 && Date.now() > stopEndedAt + 1000,
  });
  await stopper;

  // ---- checks in SQL ----
  const checks = [];
  const [ paidRows ] = await db.query("SELECT order_no, transaction_id FROM orders WHERE status = 'PAID'");
  const paid = new Map(paidRows.map(row => [ row.order_no, row.transaction_id ]));
  const lostAcks = result.acked.filter(i => paid.get(orderNoOf(tag, i)) !== transactionIdOf(tag, i));
  checks.push([ lostAcks.length === 0, `${lostAcks.length} notifies answered SUCCESS whose order is not PAID by its transaction` ]);
  const [[ events ]] = await db.query('SELECT COUNT(*) AS n FROM payment_events');
  // dropped requests: did the server process them (order PAID) before the reply was lost?
  const droppedProcessed = result.droppedOrders.filter(i => paid.has(orderNoOf(tag, i))).length;
  checks.push([ droppedProcessed === 0, `${droppedProcessed} requests processed (order PAID) whose reply never came` ]);
  await db.end();

  const figures = {
    connections: config.connections,
    stormSeconds: (Date.now() - stormStarted) / 1000,
    stopAfterSeconds: config.stopAfter,
    stopCommandSeconds: (stopEndedAt - stopStartedAt) / 1000,
    sent: result.sent,
    acknowledged: result.acked.length,
    answeredOther: result.answeredOther,
    refusedAfterClose: result.refused,
    droppedAfterSend: result.dropped,
    droppedButProcessed: droppedProcessed,
    droppedKinds: result.droppedKinds,
    ordersPaid: paid.size,
    auditRows: Number(events.n),
    p99Ms: Math.round(percentile(result.latencies, 0.99)),
    maxMs: Math.round(percentile(result.latencies, 1)),
  };
  console.log('shutdown storm: SIGTERM (egg-scripts stop) %d s into a notify storm of %d connections', config.stopAfter, config.connections);
  console.log('  sent %d, acknowledged SUCCESS %d, answered otherwise %d, refused after close %d, dropped after send %d (processed: %d)',
    figures.sent, figures.acknowledged, figures.answeredOther, figures.refusedAfterClose, figures.droppedAfterSend, figures.droppedButProcessed);
  if (figures.droppedAfterSend) console.log('  dropped after send, by error: %j', figures.droppedKinds);
  console.log('  orders PAID %d, payment_events rows %d, latency p99 %d ms, max %d ms, stop command took %s s',
    figures.ordersPaid, figures.auditRows, figures.p99Ms, figures.maxMs, figures.stopCommandSeconds.toFixed(1));
  let failed = false;
  for (const [ ok, message ] of checks) {
    console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${ok ? message.replace(/^\d+/, '0') : message}`);
    failed ||= !ok;
  }
  console.log(`BENCH_RESULT ${JSON.stringify({ bench: 'shutdown-storm', date: new Date().toISOString(), machine: machine(), ...figures, ok: !failed })}`);
  if (failed) process.exitCode = 1;
}

main().catch(err => { console.error(err); process.exit(1); });
