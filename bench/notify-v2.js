#!/usr/bin/env node
'use strict';

/**
 * Load test of POST /api/pay/notify (WeChat Pay v2) against a running server
 * (the prod build, or bench/baseline-notify.js) on a MySQL/MariaDB database
 * that this script wipes and fills:
 *
 *   1. fresh state: one user and N PENDING orders with known amounts
 *      (multi-row INSERTs through mysql2, 5,000 rows a statement);
 *   2. signed v2 notify bodies built in advance, one per target order;
 *   3. "distinct": autocannon, C connections, every request pays another
 *      order once (a shared cursor hands out the bodies), warm-up then a
 *      measured run of fixed duration. When the table has fewer orders than
 *      the run needs (10k orders at >2k/s), the run goes in rounds: the paid
 *      orders are checked, set back to PENDING and their events deleted, and
 *      the load goes on; the table size stays N throughout;
 *   4. "duplicate storm": the notify of an order already paid, over and over;
 *   5. checks in SQL after each run: every order acknowledged is PAID with its
 *      own transaction_id, no order outside the ones sent is PAID, one
 *      payment_events row per request processed (PAID for distinct,
 *      DUPLICATE in the storm) and the stormed order rows never rewritten.
 *
 * Environment (or --flags):
 *   BASE_URL (http://127.0.0.1:7401)  DATABASE_URL (its name must contain "bench")
 *   WECHAT_APPID  WECHATPAY_MCHID  WECHATPAY_API_KEY  [WECHATPAY_SIGN_TYPE=MD5]
 *   BENCH_ORDERS / --orders (10000)          BENCH_CONNECTIONS / --connections (32)
 *   BENCH_DURATION / --duration (15 s)       BENCH_WARMUP / --warmup (3 s)
 *   BENCH_STORM_DURATION / --storm-duration (10 s)  BENCH_STORM_WARMUP (2 s)
 *   BENCH_STORM_ORDERS / --storm-orders (1: one order; k: k paid orders round robin)
 *   BENCH_MAX_RATE (6000/s: bodies built = rate x time, capped by the table)
 *   BENCH_TARGETS / --targets (random: orders spread over the whole table; recent: the newest ones)
 *   BENCH_SEED (sample seed; default: the clock, so a re-run does not find its pages already cached)
 *   BENCH_LABEL (free text printed with the results, e.g. "egg prod, pool 10")
 *   BENCH_SKIP_FILL=1 reuses the orders already in the table (same tag) instead of refilling
 * Prints the figures and a `BENCH_RESULT {json}` line; exits 1 if a check fails.
 *
 * The runner is protocol-neutral: `require('./notify-v2').runNotifyBench(protocol)` runs it for
 * another notify format (bench/notify-v3.js); run directly, this file benches v2. The refund
 * benches (bench/refund-notify-v2.js) reuse its load engine (runLoad, combine) and Checks.
 */

const autocannon = require('autocannon');
const mysql = require('mysql2/promise');
const {
  option, intOption, required, mysqlOptions, assertBenchDatabase, signV2, toXml, LatencyLog, machine,
  printScenario, sleep, CpuMeter, addCpu, describeCpu, assertReachable,
} = require('./common');

const BATCH_ROWS = 5000;
const ORDER_PREFIX = 'BN';
const BENCH_OPENID = 'bench-notify-user';

const config = {
  baseUrl: option('base-url', 'BASE_URL', 'http://127.0.0.1:7401').replace(/\/$/, ''),
  databaseUrl: required('DATABASE_URL'),
  appId: required('WECHAT_APPID'),
  mchId: required('WECHATPAY_MCHID'),
  orders: intOption('orders', 'BENCH_ORDERS', 10000, { min: 1000, max: 5_000_000 }),
  connections: intOption('connections', 'BENCH_CONNECTIONS', 32, { min: 1, max: 1024 }),
  duration: intOption('duration', 'BENCH_DURATION', 15, { min: 1, max: 600 }),
  warmup: intOption('warmup', 'BENCH_WARMUP', 3, { min: 0, max: 120 }),
  stormDuration: intOption('storm-duration', 'BENCH_STORM_DURATION', 10, { min: 0, max: 600 }),
  stormWarmup: intOption('storm-warmup', 'BENCH_STORM_WARMUP', 2, { min: 0, max: 120 }),
  stormOrders: intOption('storm-orders', 'BENCH_STORM_ORDERS', 1, { min: 1, max: 100000 }),
  maxRate: intOption('max-rate', 'BENCH_MAX_RATE', 6000, { min: 100, max: 100000 }),
  label: option('label', 'BENCH_LABEL', ''),
  skipFill: option('skip-fill', 'BENCH_SKIP_FILL', '') === '1',
  targets: option('targets', 'BENCH_TARGETS', 'random'),
  seed: intOption('seed', 'BENCH_SEED', Date.now() % 2147483647, { min: 0, max: 2147483647 }),
};
if (config.targets !== 'random' && config.targets !== 'recent') throw new Error('BENCH_TARGETS is random or recent');
{
  const host = new URL(config.baseUrl).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') throw new Error('BASE_URL must be a loopback address');
}

/**
 * What differs between notify protocols (v2 here, v3 in notify-v3.js): the
 * path, the content type, how a notify for order `index` is built ({ body,
 * headers? }), whether a reply acknowledges it, and a prepare() run once
 * before the bodies are built (credentials from the environment).
 */
let protocol = null;
let notifyUrl = '';

let v2Keys = null;
const v2Protocol = {
  name: 'notify-v2',
  path: '/api/pay/notify',
  contentType: 'text/xml',
  prepare() {
    v2Keys = { apiKey: required('WECHATPAY_API_KEY'), signType: option('sign-type', 'WECHATPAY_SIGN_TYPE', 'MD5') };
    if (v2Keys.signType !== 'MD5' && v2Keys.signType !== 'HMAC-SHA256') throw new Error('WECHATPAY_SIGN_TYPE is MD5 or HMAC-SHA256');
  },
  build: (tag, index) => ({ body: notifyBody(tag, index) }),
  isAck: (status, body) => status === 200 && body.includes('SUCCESS'),
};

// ---- database state ----

const orderNoOf = (tag, index) => `${ORDER_PREFIX}${tag}${String(index).padStart(8, '0')}`;
const amountOf = index => 100 + (index % 9900); // 1.00 .. 99.99 yuan, in fen
const transactionIdOf = (tag, index) => `4200${String(index).padStart(10, '0')}${tag}`;

async function freshState(db, count, { settleFill = true } = {}) {
  await db.query('SET FOREIGN_KEY_CHECKS = 0');
  for (const table of [ 'payment_events', 'order_items', 'orders', 'users' ]) await db.query(`TRUNCATE TABLE ${table}`);
  await db.query('SET FOREIGN_KEY_CHECKS = 1');
  const now = new Date();
  const [ user ] = await db.query('INSERT INTO users (openid, created_at, updated_at) VALUES (?, ?, ?)', [ BENCH_OPENID, now, now ]);
  const tag = Date.now().toString(36).slice(-6).toUpperCase();
  const expiresAt = new Date(now.getTime() + 7 * 86400_000); // never expires during the bench
  const started = Date.now();
  for (let start = 0; start < count; start += BATCH_ROWS) {
    const rows = [];
    for (let i = start; i < Math.min(count, start + BATCH_ROWS); i++) {
      rows.push([ orderNoOf(tag, i), user.insertId, amountOf(i), 'bench order', 'PENDING', expiresAt, now, now ]);
    }
    await db.query('INSERT INTO orders (order_no, user_id, amount, description, status, expires_at, created_at, updated_at) VALUES ?', [ rows ]);
    if (process.stdout.isTTY && count >= 200000 && (start / BATCH_ROWS) % 40 === 0) process.stdout.write(`  inserted ${start + rows.length}/${count}\r`);
  }
  await db.query('ANALYZE TABLE orders');
  const fillSeconds = (Date.now() - started) / 1000;
  if (settleFill) await settle(db);
  return { tag, fillSeconds };
}

/**
 * Lets InnoDB write out the pages a big fill dirtied (at most 90 s), so that
 * the run does not compete with that flushing; the first run after a 1M-row
 * fill is otherwise ~15 % slower than the next ones.
 */
async function settle(db) {
  const dirty = async () => {
    const [[ row ]] = await db.query("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'");
    return row ? Number(row.Value) : 0;
  };
  const started = Date.now();
  let pages = await dirty();
  if (pages < 1000) return;
  while (pages >= 1000 && Date.now() - started < 90_000) {
    await sleep(1000);
    pages = await dirty();
  }
  console.log(`  waited ${((Date.now() - started) / 1000).toFixed(0)} s for InnoDB to flush the fill (${pages} dirty pages left)`);
}

async function existingState(db) {
  const [ rows ] = await db.query('SELECT order_no FROM orders ORDER BY id LIMIT 1');
  if (!rows.length || !rows[0].order_no.startsWith(ORDER_PREFIX)) throw new Error('BENCH_SKIP_FILL: no bench orders in the table');
  await resetPaid(db);
  return { tag: rows[0].order_no.slice(ORDER_PREFIX.length, ORDER_PREFIX.length + 6), fillSeconds: 0 };
}

async function tableSize(db) {
  const [[ row ]] = await db.query('SELECT COUNT(*) AS n FROM orders');
  return Number(row.n);
}

/** Puts the paid orders back to PENDING and empties the audit table (between rounds of a small table). */
async function resetPaid(db) {
  await db.query("UPDATE orders SET status = 'PENDING', transaction_id = NULL, paid_at = NULL, updated_at = created_at WHERE status <> 'PENDING'");
  await db.query('DELETE FROM payment_events');
}

// ---- notify bodies ----

function timeEnd(date) {
  return new Date(date.getTime() + 8 * 3600_000).toISOString().replace(/\D/g, '').slice(0, 14);
}

function notifyBody(tag, index) {
  const fields = {
    appid: config.appId,
    bank_type: 'OTHERS',
    cash_fee: String(amountOf(index)),
    fee_type: 'CNY',
    is_subscribe: 'N',
    mch_id: config.mchId,
    nonce_str: `n${tag}${index}`,
    openid: BENCH_OPENID,
    out_trade_no: orderNoOf(tag, index),
    result_code: 'SUCCESS',
    return_code: 'SUCCESS',
    sign_type: v2Keys.signType === 'MD5' ? undefined : v2Keys.signType,
    time_end: timeEnd(new Date()),
    total_fee: String(amountOf(index)),
    trade_type: 'JSAPI',
    transaction_id: transactionIdOf(tag, index),
  };
  fields.sign = signV2(fields, v2Keys.apiKey, v2Keys.signType);
  return Buffer.from(toXml(fields));
}

/**
 * `k` order indices out of `n`, in random order: a pseudo-random sample of
 * the whole table ("random": the pessimistic case for a table larger than
 * the buffer pool), or the `k` newest orders ("recent": what WeChat notifies
 * in practice, orders created minutes before).
 */
function sampleIndices(n, k, seed, recent) {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const size = recent ? k : n;
  const all = new Int32Array(size);
  for (let i = 0; i < size; i++) all[i] = recent ? n - k + i : i;
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (size - i));
    const swap = all[i];
    all[i] = all[j];
    all[j] = swap;
  }
  return all.slice(0, k);
}

// ---- load ----

/** The machine-readable line bench/summary.js reads: `BENCH_RESULT {json}`. */
function printBenchResult({ name, info, orders, distinctResult, stormResult, checks }) {
  const cpuPerRequest = r => Object.fromEntries(Object.entries(r.cpu.cpu).map(([ k, v ]) => [ k, v * 1000 / Math.max(1, r.completed) ]));
  const strip = r => (r ? { rps: r.rps, ...r.latency, errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx,
    notAcked: r.notAcked, completed: r.completed, seconds: r.wallSeconds, rounds: r.rounds,
    cpuMsPerRequest: cpuPerRequest(r), machineBusyCores: r.cpu.machineBusyCores, otherCores: r.cpu.otherCores } : null);
  console.log(`BENCH_RESULT ${JSON.stringify({
    bench: name, label: config.label, date: new Date().toISOString(), machine: info,
    orders, targets: config.targets, connections: config.connections, duration: config.duration,
    distinct: strip(distinctResult), storm: strip(stormResult), stormOrders: config.stormOrders,
    checksFailed: checks.failures,
  })}`);
}

/**
 * Distinct-body load for `seconds`, in rounds: a round hands out each body at most once and is
 * closed (its rows checked, then reset) when fewer than four bodies per connection are left.
 */
async function runDistinct({ seconds, slots, items, currentRound, closeRound, load, url }) {
  const runs = [];
  let left = seconds;
  while (left > 0.3) {
    if (slots - currentRound().handed < config.connections * 4) await closeRound(true);
    const current = currentRound();
    const run = await load({
      amount: slots - current.handed,
      seconds: left,
      next: () => items[current.handed++],
      onAck: item => { current.acked[item.slot] = 1; },
    });
    runs.push(run);
    if (run.completed === 0) throw new Error(`no answer from ${url} (errors ${run.errors})`);
    left -= Math.max(run.wallSeconds, 0.3);
  }
  return runs;
}

/**
 * One autocannon run. `next()` hands out the next item ({ body, slot }) or the run
 * was sized (amount) so it never runs dry; `onAck(item)` is told of each SUCCESS reply.
 * `proto` and `url` default to the pay notify's; the refund benches pass their own.
 */
function runLoad({ amount, seconds, next, onAck, proto = protocol, url = notifyUrl }) {
  return new Promise((resolve, reject) => {
    if (proto.beforeRun) proto.beforeRun(); // e.g. v3: the signatures are still inside the time window
    const latencies = new LatencyLog();
    let notAcked = 0;
    let firstAt = 0n;
    let lastAt = 0n;
    let handed = 0;
    const meter = new CpuMeter();
    meter.start();
    const started = process.hrtime.bigint();
    const instance = autocannon({
      url,
      method: 'POST',
      headers: { 'content-type': proto.contentType },
      connections: config.connections,
      pipelining: 1,
      timeout: 10,
      ...(amount ? { amount } : { duration: seconds }),
      requests: [{
        setupRequest(request, context) {
          const item = next();
          handed++;
          context.item = item;
          request.body = item.body;
          if (item.headers) request.headers = item.headers;
          return request;
        },
        onResponse(status, body, context) {
          if (proto.isAck(status, body)) onAck(context.item);
          else notAcked++;
        },
      }],
    }, (err, result) => {
      clearTimeout(timer);
      const cpu = meter.stop();
      if (err) return reject(err);
      const wallSeconds = firstAt ? Number(lastAt - firstAt) / 1e9 : 0;
      const completed = latencies.length;
      resolve({
        completed,
        handed,
        wallSeconds,
        rps: wallSeconds > 0 ? completed / wallSeconds : 0,
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        notAcked,
        latencies,
        cpu,
      });
    });
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      const now = process.hrtime.bigint();
      if (!firstAt) firstAt = started;
      lastAt = now;
      latencies.add(responseTime);
    });
    // With `amount` the run ends when the bodies run out; the timer ends it at the deadline otherwise.
    const timer = amount ? setTimeout(() => instance.stop(), seconds * 1000) : null;
  });
}

function combine(runs) {
  const latencies = new LatencyLog();
  const total = { completed: 0, handed: 0, wallSeconds: 0, errors: 0, timeouts: 0, non2xx: 0, notAcked: 0 };
  for (const run of runs) {
    latencies.merge(run.latencies);
    for (const key of Object.keys(total)) total[key] += run[key];
  }
  return {
    ...total, rounds: runs.length, rps: total.wallSeconds > 0 ? total.completed / total.wallSeconds : 0,
    latency: latencies.summary(), cpu: addCpu(runs.map(r => r.cpu)),
  };
}

// ---- checks ----

class Checks {
  constructor() {
    this.failures = [];
  }

  expect(condition, message) {
    if (!condition) {
      this.failures.push(message);
      console.log(`  CHECK FAILED: ${message}`);
    }
  }
}

/**
 * After a distinct round: the orders PAID are exactly the ones notified (all
 * acknowledged ones, plus at most the requests still in flight when the run
 * stopped), each with its own transaction_id, and one PAID event per order.
 */
async function verifyDistinctRound(db, checks, round) {
  await sleep(500); // requests in flight when autocannon stopped still reach the database
  const [ paidRows ] = await db.query("SELECT order_no, transaction_id FROM orders WHERE status = 'PAID'");
  const paid = new Set();
  let strangers = 0;
  let wrongTransaction = 0;
  for (const row of paidRows) {
    const slot = round.slotOf.get(row.order_no);
    if (slot === undefined || slot >= round.handed) strangers++;
    else if (row.transaction_id !== round.transactionIdOfSlot(slot)) wrongTransaction++;
    paid.add(row.order_no);
  }
  let ackedNotPaid = 0;
  for (let slot = 0; slot < round.handed; slot++) {
    if (round.acked[slot] && !paid.has(round.orderNoOfSlot(slot))) ackedNotPaid++;
  }
  const [ events ] = await db.query('SELECT order_no, outcome, verified FROM payment_events');
  const perOrder = new Map();
  let badEvents = 0;
  for (const event of events) {
    perOrder.set(event.order_no, (perOrder.get(event.order_no) || 0) + 1);
    if (event.outcome !== 'PAID' || !event.verified) badEvents++;
  }
  let orderEventMismatch = 0;
  for (const orderNo of paid) if (perOrder.get(orderNo) !== 1) orderEventMismatch++;
  const acked = round.acked.reduce((n, a) => n + a, 0);
  checks.expect(strangers === 0, `${strangers} orders PAID that were never notified`);
  checks.expect(wrongTransaction === 0, `${wrongTransaction} orders PAID with another transaction_id`);
  checks.expect(ackedNotPaid === 0, `${ackedNotPaid} orders acknowledged SUCCESS but not PAID`);
  checks.expect(badEvents === 0, `${badEvents} payment_events rows not PAID/verified in a distinct run`);
  checks.expect(events.length === paid.size, `payment_events rows ${events.length} != orders paid ${paid.size}`);
  checks.expect(orderEventMismatch === 0, `${orderEventMismatch} paid orders without exactly one event`);
  checks.expect(paid.size >= acked && paid.size <= round.handed,
    `orders paid ${paid.size} outside [acknowledged ${acked}, sent ${round.handed}]`);
  return { paid: paid.size, acked, sent: round.handed, events: events.length };
}

async function snapshotOrders(db, orderNos) {
  const [ rows ] = await db.query(
    'SELECT order_no, status, transaction_id, paid_at, updated_at FROM orders WHERE order_no IN (?)', [ orderNos ]);
  const [ events ] = await db.query(
    'SELECT outcome, COUNT(*) AS n FROM payment_events WHERE order_no IN (?) GROUP BY outcome', [ orderNos ]);
  const byOutcome = Object.fromEntries(events.map(e => [ e.outcome, Number(e.n) ]));
  return { rows: JSON.stringify(rows), byOutcome, total: events.reduce((n, e) => n + Number(e.n), 0) };
}

// ---- main ----

async function main() {
  const info = machine();
  const dbOptions = mysqlOptions(config.databaseUrl);
  assertBenchDatabase(dbOptions);
  const db = await mysql.createConnection(dbOptions);
  const checks = new Checks();
  try {
    console.log(`${protocol.name} bench: ${notifyUrl}  ${config.label}`);
    console.log(`  machine: ${info.cores} cores (${info.cpuModel}), ${info.memoryGiB} GiB, Node ${info.node}, ${info.platform}`);
    await assertReachable(`${config.baseUrl}/healthz`);
    const { tag, fillSeconds } = config.skipFill ? await existingState(db) : await freshState(db, config.orders);
    const orders = await tableSize(db);
    console.log(`  orders in the table: ${orders}${fillSeconds ? ` (filled in ${fillSeconds.toFixed(1)} s)` : ''}`);

    // Bodies for as many distinct orders as the run can use, capped by the table.
    const wanted = Math.ceil(config.maxRate * (config.warmup + config.duration));
    const slots = Math.min(orders, wanted);
    const indices = sampleIndices(orders, slots, config.seed, config.targets === 'recent');
    const builtAt = Date.now();
    const items = new Array(slots);
    const slotOf = new Map();
    for (let slot = 0; slot < slots; slot++) {
      items[slot] = { slot, ...protocol.build(tag, indices[slot]) };
      slotOf.set(orderNoOf(tag, indices[slot]), slot);
    }
    console.log(`  ${slots} signed notify bodies (${config.targets} orders, seed ${config.seed}) built in ${Date.now() - builtAt} ms` +
      (slots < wanted ? ` (table smaller than the run: rounds, paid orders reset between them)` : ''));

    // A round hands out each body at most once; it ends at the deadline or when the bodies run out.
    let round = null;
    const roundSummaries = [];
    const newRound = () => {
      round = {
        handed: 0,
        acked: new Uint8Array(slots),
        slotOf,
        orderNoOfSlot: slot => orderNoOf(tag, indices[slot]),
        transactionIdOfSlot: slot => transactionIdOf(tag, indices[slot]),
      };
    };
    const closeRound = async reset => {
      roundSummaries.push(await verifyDistinctRound(db, checks, round));
      if (reset) await resetPaid(db);
      newRound();
    };
    newRound();

    const distinct = seconds => runDistinct({ seconds, slots, items, currentRound: () => round, closeRound, load: runLoad, url: notifyUrl });

    if (config.warmup > 0) {
      const warm = combine(await distinct(config.warmup));
      printScenario('warm-up (distinct)', warm);
    }
    const distinctResult = combine(await distinct(config.duration));
    await closeRound(false);
    printScenario('distinct orders', distinctResult);
    console.log(`    ${describeCpu(distinctResult.cpu, distinctResult.completed)}`);

    // Duplicate storm over orders the last round paid (and acknowledged).
    let stormResult = null;
    if (config.stormDuration > 0) {
      const stormSlots = [];
      const [ paidRows ] = await db.query("SELECT order_no FROM orders WHERE status = 'PAID' LIMIT ?", [ config.stormOrders ]);
      for (const row of paidRows) stormSlots.push(slotOf.get(row.order_no));
      checks.expect(stormSlots.length === config.stormOrders, `only ${stormSlots.length} paid orders for the storm`);
      const stormOrderNos = paidRows.map(r => r.order_no);
      const before = await snapshotOrders(db, stormOrderNos);
      let cursor = 0;
      const storm = async seconds => runLoad({
        seconds,
        next: () => items[stormSlots[cursor++ % stormSlots.length]],
        onAck: () => {},
      });
      let answered = 0;
      if (config.stormWarmup > 0) {
        const warm = combine([ await storm(config.stormWarmup) ]);
        answered += warm.completed;
        printScenario('warm-up (storm)', warm);
      }
      stormResult = combine([ await storm(config.stormDuration) ]);
      answered += stormResult.completed;
      await sleep(500);
      const after = await snapshotOrders(db, stormOrderNos);
      const added = after.total - before.total;
      checks.expect(after.rows === before.rows, 'a duplicate notify rewrote an order row');
      checks.expect((after.byOutcome.PAID || 0) === (before.byOutcome.PAID || 0), 'the storm produced PAID events');
      checks.expect((after.byOutcome.DUPLICATE || 0) - (before.byOutcome.DUPLICATE || 0) === added,
        'storm events that are not DUPLICATE');
      checks.expect(added >= answered && added <= cursor,
        `storm events ${added} outside [answered ${answered}, sent ${cursor}]`);
      checks.expect(stormResult.notAcked === 0, `${stormResult.notAcked} duplicate notifies not answered SUCCESS`);
      printScenario(`duplicate storm (${config.stormOrders} order${config.stormOrders > 1 ? 's' : ''})`, stormResult);
      console.log(`    ${describeCpu(stormResult.cpu, stormResult.completed)}`);
      console.log(`  storm (warm-up included): ${cursor} sent, ${answered} answered, ${added} DUPLICATE events added`);
    }

    const distinctChecked = roundSummaries.reduce((acc, r) => ({
      paid: acc.paid + r.paid, acked: acc.acked + r.acked, sent: acc.sent + r.sent, events: acc.events + r.events,
    }), { paid: 0, acked: 0, sent: 0, events: 0 });
    console.log(`  distinct (warm-up included): ${distinctChecked.sent} sent, ${distinctChecked.acked} acknowledged, ` +
      `${distinctChecked.paid} orders PAID, ${distinctChecked.events} events, in ${roundSummaries.length} round(s)`);
    checks.expect(distinctResult.notAcked === 0, `${distinctResult.notAcked} distinct notifies not answered SUCCESS`);
    checks.expect(distinctResult.errors === 0 && distinctResult.non2xx === 0, 'errors or non-2xx in the distinct run');
    console.log(checks.failures.length ? `  CHECKS: ${checks.failures.length} FAILED` : '  checks: all passed');

    printBenchResult({ name: protocol.name, info, orders, distinctResult, stormResult, checks });
  } finally {
    await db.end();
  }
  if (checks.failures.length) process.exitCode = 1;
}

/** Runs the whole bench for a protocol (v2Protocol here; notify-v3.js passes its own). */
function runNotifyBench(proto) {
  protocol = proto;
  notifyUrl = `${config.baseUrl}${proto.path}`;
  return Promise.resolve().then(() => proto.prepare()).then(main).catch(err => {
    console.error(`${proto.name} bench failed: ${err.stack || err.message}`);
    process.exit(2);
  });
}

// The load engine and checks are shared with the refund benches (refund-notify-v2.js, refund-notify-v3.js);
// the v2 bodies and the fresh state with notify-allocation.js.
module.exports = {
  runNotifyBench, config, orderNoOf, amountOf, transactionIdOf, BENCH_OPENID, BATCH_ROWS, v2Protocol, freshState,
  runLoad, runDistinct, printBenchResult, combine, Checks, sampleIndices, settle,
};

if (require.main === module) runNotifyBench(v2Protocol);
