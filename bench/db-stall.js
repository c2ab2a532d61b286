#!/usr/bin/env node
'use strict';

/**
 * A stalled database (#11, item 1), against the running prod build on MariaDB/MySQL:
 *   1. table stall: another connection holds `LOCK TABLES orders WRITE` for BENCH_STALL_SECONDS
 *      (90) while signed v2 notifies of fresh orders arrive at BENCH_STALL_RATE per second (open
 *      loop: each is sent on time whatever the earlier ones are doing) and /healthz is asked 4
 *      times a second;
 *   2. row lock: another transaction holds one order's row (SELECT … FOR UPDATE) for
 *      BENCH_ROW_LOCK_SECONDS (15) while that order's notify is delivered twice a second and
 *      other orders' notifies go on at the same rate;
 *   3. with BENCH_PAUSE_PID (the database server's pid: a server of the bench's own,
 *      bench/private-mariadb.sh, never a shared one), the server paused: SIGSTOP for
 *      BENCH_PAUSE_SECONDS (60) under the same notifies and /healthz, then SIGCONT;
 *   4. WeChat's retries: every notify not acknowledged is delivered again (up to 5 rounds);
 *   then checks in SQL that every notify answered SUCCESS is a PAID order with its own
 *   transaction_id (no acknowledged payment lost), that each order was credited once (one PAID
 *   audit row), and that every order was PAID in the end.
 * Prints per phase how long notifies and /healthz took to answer (max, p99, p50) and how they were
 * answered, and a `BENCH_RESULT {json}` line; exits 1 if a check fails. Every wait is bounded:
 * a request has 120 s, the whole run is a few minutes.
 *
 * Environment: BASE_URL, DATABASE_URL (name contains "bench"), WECHAT_APPID, WECHATPAY_MCHID,
 *   WECHATPAY_API_KEY, [WECHATPAY_SIGN_TYPE], BENCH_STALL_SECONDS, BENCH_STALL_RATE, BENCH_ROW_LOCK_SECONDS,
 *   [BENCH_PAUSE_PID, BENCH_PAUSE_SECONDS].
 */

const http = require('node:http');
const mysql = require('mysql2/promise');
const { intOption, required, mysqlOptions, assertBenchDatabase, option, sleep, machine } = require('./common');
const { freshOrders, notifyBody, orderNoOf, transactionIdOf, percentile } = require('./v2-notify-storm');

const config = {
  baseUrl: option('base-url', 'BASE_URL', 'http://127.0.0.1:7401'),
  databaseUrl: required('DATABASE_URL'),
  stallSeconds: intOption('stall-seconds', 'BENCH_STALL_SECONDS', 90, { min: 1, max: 300 }),
  rate: intOption('rate', 'BENCH_STALL_RATE', 50, { min: 1, max: 1000 }),
  rowLockSeconds: intOption('row-lock-seconds', 'BENCH_ROW_LOCK_SECONDS', 15, { min: 1, max: 120 }),
  pausePid: intOption('pause-pid', 'BENCH_PAUSE_PID', 0, { min: 0, max: 2 ** 22 }),
  pauseSeconds: intOption('pause-seconds', 'BENCH_PAUSE_SECONDS', 60, { min: 1, max: 300 }),
};
const keys = {
  appId: required('WECHAT_APPID'), mchId: required('WECHATPAY_MCHID'), apiKey: required('WECHATPAY_API_KEY'),
  signType: option('sign-type', 'WECHATPAY_SIGN_TYPE', 'MD5'),
};
const REQUEST_LIMIT_MS = 120_000;
const HEALTH_PER_SECOND = 4;
const RETRY_ROUNDS = 5;

const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });

/** One request; resolves with { ms, status, body } or { ms, error } (never rejects, never waits past REQUEST_LIMIT_MS). */
function request(path, body) {
  return new Promise(resolve => {
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
    const headers = body ? { 'Content-Type': 'text/xml', 'Content-Length': body.length } : {};
    const req = http.request(new URL(path, config.baseUrl), { method: body ? 'POST' : 'GET', agent, headers }, res => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', chunk => { text += chunk; });
      res.on('end', () => resolve({ ms: elapsed(), status: res.statusCode, body: text }));
      res.on('error', err => resolve({ ms: elapsed(), error: err.code || err.message }));
    });
    req.setTimeout(REQUEST_LIMIT_MS, () => req.destroy(new Error('no answer within 120 s')));
    req.on('error', err => resolve({ ms: elapsed(), error: err.code || err.message }));
    req.end(body);
  });
}

const isAck = answer => answer.status === 200 && answer.body.includes('<return_code><![CDATA[SUCCESS]]>');
const kindOf = answer => (answer.error ? `error ${answer.error}` : isAck(answer) ? 'SUCCESS'
  : `${answer.status} ${/<return_msg><!\[CDATA\[(.*?)\]\]>/.exec(answer.body)?.[1] ?? answer.body.slice(0, 60)}`);

/** Latency figures and answer kinds of a list of answers. */
function describe(answers) {
  const ms = answers.map(a => a.ms);
  const kinds = {};
  for (const a of answers) kinds[kindOf(a)] = (kinds[kindOf(a)] || 0) + 1;
  return {
    count: answers.length,
    maxMs: Math.round(Math.max(0, ...ms)),
    p99Ms: Math.round(percentile(ms, 0.99)),
    p50Ms: Math.round(percentile(ms, 0.5)),
    kinds,
  };
}

/** Calls `fire(n)` `perSecond` times a second, on schedule, until `until()`; returns the promises. */
async function openLoop(perSecond, until, fire) {
  const started = Date.now();
  const pending = [];
  for (let n = 0; !until(); n++) {
    const due = started + (n * 1000) / perSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    if (until()) break;
    pending.push(fire(n));
  }
  return Promise.all(pending);
}

const acked = new Set();
/** Delivers order i's notify once; remembers it when acknowledged. */
async function deliver(tag, i) {
  const answer = await request('/api/pay/notify', notifyBody(keys, tag, i));
  if (isAck(answer)) acked.add(i);
  return answer;
}

async function main() {
  const dbOptions = mysqlOptions(config.databaseUrl);
  assertBenchDatabase(dbOptions);
  const db = await mysql.createConnection(dbOptions);
  const holder = await mysql.createConnection(dbOptions);
  const pauseSeconds = config.pausePid ? config.pauseSeconds : 0;
  const orders = config.rate * (config.stallSeconds + 2 * config.rowLockSeconds + pauseSeconds) + 100;
  const tag = await freshOrders(db, orders);
  let nextOrder = 0;
  const figures = {};

  // ---- 1. LOCK TABLES orders WRITE ----
  await holder.query('LOCK TABLES orders WRITE');
  const stallEnds = Date.now() + config.stallSeconds * 1000;
  const stalled = () => Date.now() >= stallEnds;
  const [ stallNotifies, stallHealth ] = await Promise.all([
    openLoop(config.rate, stalled, () => deliver(tag, nextOrder++)),
    openLoop(HEALTH_PER_SECOND, stalled, () => request('/healthz')),
  ]);
  // Released once every notify sent during the stall has been answered (or given up on at 120 s).
  await holder.query('UNLOCK TABLES');
  figures.tableStall = { seconds: config.stallSeconds, notifies: describe(stallNotifies), healthz: describe(stallHealth) };
  figures.healthzAfterUnlock = describe([ await request('/healthz') ]);

  // ---- 2. one order's row locked ----
  const lockedOrder = nextOrder++;
  await holder.query('START TRANSACTION');
  await holder.query('SELECT id FROM orders WHERE order_no = ? FOR UPDATE', [ orderNoOf(tag, lockedOrder) ]);
  const rowLockEnds = Date.now() + config.rowLockSeconds * 1000;
  const rowReleased = () => Date.now() >= rowLockEnds;
  const [ lockedNotifies, otherNotifies, rowHealth ] = await Promise.all([
    openLoop(2, rowReleased, () => deliver(tag, lockedOrder)),
    openLoop(config.rate, rowReleased, () => deliver(tag, nextOrder++)),
    openLoop(HEALTH_PER_SECOND, rowReleased, () => request('/healthz')),
  ]);
  await holder.query('COMMIT');
  figures.rowLock = {
    seconds: config.rowLockSeconds,
    lockedOrderNotifies: describe(lockedNotifies),
    otherNotifies: describe(otherNotifies),
    healthz: describe(rowHealth),
  };

  // ---- 3. the server paused (SIGSTOP): connections stay open and nothing answers ----
  if (config.pausePid) {
    process.kill(config.pausePid, 'SIGSTOP');
    let resumed = false;
    const resume = () => {
      if (!resumed) process.kill(config.pausePid, 'SIGCONT');
      resumed = true;
    };
    // The bench must never leave the server stopped, whatever happens to it (an error, Ctrl-C, a kill).
    process.once('exit', resume);
    for (const signal of [ 'SIGINT', 'SIGTERM', 'SIGHUP' ]) {
      process.once(signal, () => {
        resume();
        process.exit(130);
      });
    }
    const pauseEnds = Date.now() + config.pauseSeconds * 1000;
    const paused = () => Date.now() >= pauseEnds;
    let pauseNotifies;
    let pauseHealth;
    try {
      [ pauseNotifies, pauseHealth ] = await Promise.all([
        openLoop(config.rate, paused, () => deliver(tag, nextOrder++)),
        openLoop(HEALTH_PER_SECOND, paused, () => request('/healthz')),
      ]);
    } finally {
      resume();
    }
    const resumedAt = Date.now();
    let healthyAfterMs;
    while (Date.now() - resumedAt < 60_000) {
      const answer = await request('/healthz');
      if (answer.status === 200) {
        healthyAfterMs = Date.now() - resumedAt;
        break;
      }
      await sleep(20);
    }
    figures.serverPaused = { seconds: config.pauseSeconds, notifies: describe(pauseNotifies), healthz: describe(pauseHealth), healthyAfterMs };
  }

  // ---- 4. WeChat delivers again what was not acknowledged ----
  const sent = nextOrder;
  let rounds = 0;
  for (; rounds < RETRY_ROUNDS; rounds++) {
    const missing = [];
    for (let i = 0; i < sent; i++) if (!acked.has(i)) missing.push(i);
    if (missing.length === 0) break;
    for (let start = 0; start < missing.length; start += 32) {
      await Promise.all(missing.slice(start, start + 32).map(i => deliver(tag, i)));
    }
  }
  figures.retryRounds = rounds;

  // ---- checks in SQL ----
  const checks = [];
  const [ paidRows ] = await db.query("SELECT order_no, transaction_id FROM orders WHERE status = 'PAID'");
  const paid = new Map(paidRows.map(row => [ row.order_no, row.transaction_id ]));
  const lost = [ ...acked ].filter(i => paid.get(orderNoOf(tag, i)) !== transactionIdOf(tag, i));
  checks.push([ lost.length === 0, `${lost.length} notifies answered SUCCESS whose order is not PAID by its transaction` ]);
  const [ twice ] = await db.query("SELECT order_no FROM payment_events WHERE outcome = 'PAID' GROUP BY order_no HAVING COUNT(*) > 1");
  checks.push([ twice.length === 0, `${twice.length} orders credited more than once (PAID audit rows)` ]);
  const [[ credits ]] = await db.query("SELECT COUNT(*) AS n FROM payment_events WHERE outcome = 'PAID'");
  checks.push([ Number(credits.n) === paid.size, `${credits.n} PAID audit rows for ${paid.size} PAID orders` ]);
  const unpaid = sent - [ ...Array(sent).keys() ].filter(i => paid.get(orderNoOf(tag, i)) === transactionIdOf(tag, i)).length;
  checks.push([ unpaid === 0, `${unpaid} of ${sent} notified orders not PAID after ${rounds} retry rounds` ]);
  await holder.end();
  await db.end();
  agent.destroy();

  console.log(`db-stall: LOCK TABLES orders WRITE held ${config.stallSeconds} s, ${config.rate} notifies/s`);
  const line = (name, d) => console.log(`  ${name.padEnd(30)} n=${String(d.count).padStart(5)}  max ${d.maxMs} ms  p99 ${d.p99Ms} ms  p50 ${d.p50Ms} ms  ${JSON.stringify(d.kinds)}`);
  line('notifies during the stall', figures.tableStall.notifies);
  line('/healthz during the stall', figures.tableStall.healthz);
  line('/healthz after UNLOCK', figures.healthzAfterUnlock);
  console.log(`db-stall: one order's row locked ${config.rowLockSeconds} s`);
  line('that order\'s notifies', figures.rowLock.lockedOrderNotifies);
  line('other orders\' notifies', figures.rowLock.otherNotifies);
  line('/healthz', figures.rowLock.healthz);
  if (figures.serverPaused) {
    console.log(`db-stall: the database server paused (SIGSTOP) ${config.pauseSeconds} s`);
    line('notifies while paused', figures.serverPaused.notifies);
    line('/healthz while paused', figures.serverPaused.healthz);
    console.log(`  /healthz 200 again ${figures.serverPaused.healthyAfterMs ?? 'not within 60 000'} ms after SIGCONT`);
  }
  console.log(`  ${sent} orders notified, ${acked.size} acknowledged, ${rounds} retry rounds`);
  for (const [ ok, text ] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${text}`);
  console.log(`BENCH_RESULT ${JSON.stringify({ bench: 'db-stall', date: new Date().toISOString(), machine: machine(), ...figures, checks: checks.map(([ ok, text ]) => ({ ok, text })) })}`);
  if (checks.some(([ ok ]) => !ok)) process.exitCode = 1;
}

main().catch(err => {
  console.error(err);
  process.exit(1);
});
