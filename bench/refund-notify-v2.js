#!/usr/bin/env node
'use strict';

/**
 * Load test of POST /api/pay/refund-notify (WeChat Pay v2 refund notify)
 * against a running server on a MySQL/MariaDB database that this script wipes
 * and fills. Same load engine, options and BENCH_RESULT line as notify-v2.js
 * (runLoad / combine, see its header for --duration, --storm-orders, --targets, …);
 * what differs is the state and the checks:
 *
 *   1. fresh state, written directly in SQL (5,000 rows a statement): one user,
 *      N PAID orders (transaction_id, paid_at) and for each one a PROCESSING
 *      refund of half of it, of the order's own transaction, already accepted
 *      by WeChat (accepted_at set), with claimed_until a year ahead so that the
 *      reconciliation schedule leaves it alone; orders.refund_reserved = that
 *      amount, as the app's own reservation would have left it;
 *   2. one refund notify per target refund, built in advance (v2 here: XML with
 *      req_info = base64(AES-256-ECB(MD5 hex of the API key, PKCS#7)) of the
 *      `<root>`; v3 in refund-notify-v3.js);
 *   3. "distinct": every request reports another refund SUCCESS once (the app
 *      moves the refund to SUCCESS and counts it in orders.refunded_amount, in
 *      one transaction); with fewer refunds than the run needs, it goes in
 *      rounds (refunds checked, put back to PROCESSING, events deleted);
 *   4. "duplicate storm": the notify of a refund already SUCCESS, over and over
 *      (acknowledged, nothing changes);
 *   5. checks in SQL after each round: every refund acknowledged is SUCCESS,
 *      no refund outside the ones sent is, each SUCCESS refund has exactly one
 *      REFUND_SUCCESS_MOVED event and orders.refunded_amount equal to its
 *      amount (counted once), the reservation untouched, the PROCESSING ones
 *      nothing refunded; one payment_events row (source refund_notify) per
 *      request; in the storm, refund and order rows never rewritten and only
 *      REFUND_SUCCESS_DUPLICATE events added. Exits 1 if a check fails.
 *
 * Environment: BASE_URL, DATABASE_URL (its name must contain "bench"), WECHAT_APPID,
 * WECHATPAY_MCHID, WECHATPAY_API_KEY, BENCH_* as for notify-v2.js (BENCH_SKIP_FILL is not
 * supported: the refunds are always seeded afresh).
 *
 * The runner is shared: `require('./refund-notify-v2').runRefundNotifyBench(protocol)`
 * (bench/refund-notify-v3.js); run directly, this file benches v2.
 */

const crypto = require('node:crypto');
const mysql = require('mysql2/promise');
const {
  option, required, mysqlOptions, assertBenchDatabase, machine, printScenario, sleep, describeCpu, assertReachable,
} = require('./common');
const {
  config, amountOf, BATCH_ROWS, runLoad, runDistinct, printBenchResult, combine, Checks, sampleIndices, settle,
} = require('./notify-v2');

// Prefixes of their own, so a refund-bench row is never mistaken for a pay-bench one.
const ORDER_PREFIX = 'BR';
const REFUND_PREFIX = 'RB';
const BENCH_OPENID = 'bench-refund-user';
// far enough that the reconciliation schedule never claims a seeded refund during the run
const CLAIMED_FOR_MS = 365 * 86400_000;
const MOVED = 'REFUND_SUCCESS_MOVED';
const DUPLICATE = 'REFUND_SUCCESS_DUPLICATE';

const pad = (index, width) => String(index).padStart(width, '0');
const orderNoOf = (tag, index) => `${ORDER_PREFIX}${tag}${pad(index, 8)}`;
const refundNoOf = (tag, index) => `${REFUND_PREFIX}${tag}${pad(index, 8)}`;
const transactionIdOf = (tag, index) => `4201${pad(index, 10)}${tag}`;
const wechatRefundIdOf = (tag, index) => `5030${pad(index, 10)}${tag}`;
const refundAmountOf = index => Math.floor(amountOf(index) / 2); // half of the order, 50 .. 4999 fen

/** Beijing time, as v2 writes success_time: `yyyy-MM-dd HH:mm:ss`. */
function v2Time(date) {
  return new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** Beijing time in RFC 3339 with its offset, as v3 writes success_time. */
function v3Time(date) {
  return `${new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

/** What a refund notify needs to know of refund `index` (both protocols build from this). */
function refundFacts(tag, index) {
  return {
    orderNo: orderNoOf(tag, index),
    refundNo: refundNoOf(tag, index),
    transactionId: transactionIdOf(tag, index),
    refundId: wechatRefundIdOf(tag, index),
    total: amountOf(index),
    amount: refundAmountOf(index),
  };
}

// ---- v2: WeChat's side of the refund notify (pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_16) ----

let v2ReqInfoKey = null;

const v2Protocol = {
  name: 'refund-notify-v2',
  apiVersion: 'v2',
  path: '/api/pay/refund-notify',
  contentType: 'text/xml',
  prepare() {
    // The AES-256 key is the 32 ASCII characters of the lowercase hex MD5 of the API key, not the digest bytes.
    v2ReqInfoKey = Buffer.from(crypto.createHash('md5').update(required('WECHATPAY_API_KEY'), 'utf8').digest('hex'), 'ascii');
  },
  build(tag, index) {
    const f = refundFacts(tag, index);
    const succeededAt = v2Time(new Date());
    // Field names sorted and one per line, every value in CDATA: the shape of WeChat's published example.
    const root = [
      [ 'out_refund_no', f.refundNo ],
      [ 'out_trade_no', f.orderNo ],
      [ 'refund_account', 'REFUND_SOURCE_RECHARGE_FUNDS' ],
      [ 'refund_fee', f.amount ],
      [ 'refund_id', f.refundId ],
      [ 'refund_recv_accout', '支付用户零钱' ],
      [ 'refund_request_source', 'API' ],
      [ 'refund_status', 'SUCCESS' ],
      [ 'settlement_refund_fee', f.amount ],
      [ 'settlement_total_fee', f.total ],
      [ 'success_time', succeededAt ],
      [ 'total_fee', f.total ],
      [ 'transaction_id', f.transactionId ],
    ].map(([ name, value ]) => `<${name}><![CDATA[${value}]]></${name}>`);
    const plaintext = `<root>\n${root.join('\n')}\n</root>`;
    const cipher = crypto.createCipheriv('aes-256-ecb', v2ReqInfoKey, null); // PKCS#7 padding by default
    const reqInfo = Buffer.concat([ cipher.update(plaintext, 'utf8'), cipher.final() ]).toString('base64');
    // No sign: a refund notify is authenticated by req_info decrypting with the merchant's key.
    const xml = `<xml><return_code>SUCCESS</return_code><appid><![CDATA[${config.appId}]]></appid>` +
      `<mch_id><![CDATA[${config.mchId}]]></mch_id><nonce_str><![CDATA[rn${tag}${index}]]></nonce_str>` +
      `<req_info><![CDATA[${reqInfo}]]></req_info></xml>`;
    return { body: Buffer.from(xml, 'utf8') };
  },
  // HTTP 200 and return_code SUCCESS; a FAIL reply's message could name SUCCESS, so match the field itself.
  isAck: (status, body) => status === 200 && /<return_code>(?:<!\[CDATA\[)?SUCCESS/.test(body),
};

// ---- database state ----

async function freshState(db, count) {
  await db.query('SET FOREIGN_KEY_CHECKS = 0');
  for (const table of [ 'payment_events', 'refunds', 'order_items', 'orders', 'users' ]) await db.query(`TRUNCATE TABLE ${table}`);
  await db.query('SET FOREIGN_KEY_CHECKS = 1');
  const now = new Date();
  const [ user ] = await db.query('INSERT INTO users (openid, created_at, updated_at) VALUES (?, ?, ?)', [ BENCH_OPENID, now, now ]);
  const tag = Date.now().toString(36).slice(-6).toUpperCase();
  const paidAt = new Date(now.getTime() - 3600_000);
  const expiresAt = new Date(now.getTime() + 7 * 86400_000);
  const claimedUntil = new Date(now.getTime() + CLAIMED_FOR_MS);
  const started = Date.now();
  for (let start = 0; start < count; start += BATCH_ROWS) {
    const orders = [];
    const refunds = [];
    for (let i = start; i < Math.min(count, start + BATCH_ROWS); i++) {
      const f = refundFacts(tag, i);
      orders.push([ f.orderNo, user.insertId, f.total, 'bench order', 'PAID', f.transactionId, paidAt, expiresAt, f.amount, 0, now, now ]);
      refunds.push([ f.refundNo, f.orderNo, f.transactionId, 1, f.amount, f.total, 'PROCESSING', 'bench', now, claimedUntil, now, now ]);
    }
    await db.query('INSERT INTO orders (order_no, user_id, amount, description, status, transaction_id, paid_at, expires_at, ' +
      'refund_reserved, refunded_amount, created_at, updated_at) VALUES ?', [ orders ]);
    await db.query('INSERT INTO refunds (refund_no, order_no, transaction_id, own_transaction, amount, transaction_total, status, ' +
      'created_by, accepted_at, claimed_until, created_at, updated_at) VALUES ?', [ refunds ]);
  }
  await db.query('ANALYZE TABLE orders, refunds');
  const fillSeconds = (Date.now() - started) / 1000;
  await settle(db);
  return { tag, fillSeconds };
}

/** Puts the refunds a round moved back to PROCESSING, their orders to nothing refunded, and empties the audit table. */
async function resetRefunded(db) {
  await db.query("UPDATE refunds SET status = 'PROCESSING', succeeded_at = NULL, wechat_refund_id = NULL, updated_at = created_at " +
    "WHERE status <> 'PROCESSING'");
  await db.query("UPDATE orders SET status = 'PAID', refunded_amount = 0, updated_at = created_at WHERE refunded_amount <> 0 OR status <> 'PAID'");
  await db.query('DELETE FROM payment_events');
}

// ---- checks ----

/**
 * After a distinct round: the refunds SUCCESS are exactly the ones notified
 * (all acknowledged ones, plus at most the requests in flight when the run
 * stopped), each moved once (one MOVED event, refunded_amount = its amount,
 * its reservation kept), and one refund_notify event per request.
 */
async function verifyDistinctRound(db, checks, round) {
  await sleep(500); // requests in flight when autocannon stopped still reach the database
  const [ rows ] = await db.query(
    'SELECT r.refund_no, r.status, r.amount, r.succeeded_at, r.wechat_refund_id, o.status AS order_status, ' +
    'o.refunded_amount, o.refund_reserved FROM refunds r JOIN orders o ON o.order_no = r.order_no');
  const succeeded = new Set();
  let strangers = 0;
  let wrongOrder = 0;
  let wrongRefund = 0;
  let refundedWhileProcessing = 0;
  let otherStatus = 0;
  for (const row of rows) {
    if (Number(row.refund_reserved) !== Number(row.amount)) wrongOrder++;
    if (row.status === 'PROCESSING') {
      if (Number(row.refunded_amount) !== 0 || row.order_status !== 'PAID') refundedWhileProcessing++;
      continue;
    }
    if (row.status !== 'SUCCESS') {
      otherStatus++;
      continue;
    }
    const slot = round.slotOf.get(row.refund_no);
    if (slot === undefined || slot >= round.handed) strangers++;
    else if (!row.succeeded_at || row.wechat_refund_id !== round.wechatRefundIdOfSlot(slot)) wrongRefund++;
    // Half refunded: the order stays PAID with exactly this refund counted (twice would be a double move).
    if (Number(row.refunded_amount) !== Number(row.amount) || row.order_status !== 'PAID') wrongOrder++;
    succeeded.add(row.refund_no);
  }
  let ackedNotSucceeded = 0;
  for (let slot = 0; slot < round.handed; slot++) {
    if (round.acked[slot] && !succeeded.has(round.refundNoOfSlot(slot))) ackedNotSucceeded++;
  }
  const [ events ] = await db.query('SELECT source, api_version, outcome, verified, reason FROM payment_events');
  const perRefund = new Map();
  let badEvents = 0;
  for (const event of events) {
    // The app records the refund's number as the reason of a verified refund event.
    perRefund.set(event.reason, (perRefund.get(event.reason) || 0) + 1);
    if (event.source !== 'refund_notify' || event.api_version !== round.apiVersion || event.outcome !== MOVED || !event.verified) badEvents++;
  }
  let refundEventMismatch = 0;
  for (const refundNo of succeeded) if (perRefund.get(refundNo) !== 1) refundEventMismatch++;
  const acked = round.acked.reduce((n, a) => n + a, 0);
  checks.expect(strangers === 0, `${strangers} refunds SUCCESS that were never notified`);
  checks.expect(otherStatus === 0, `${otherStatus} refunds neither PROCESSING nor SUCCESS`);
  checks.expect(wrongRefund === 0, `${wrongRefund} SUCCESS refunds without succeeded_at or with another wechat_refund_id`);
  checks.expect(wrongOrder === 0, `${wrongOrder} orders whose refunded_amount / refund_reserved / status do not match their refund`);
  checks.expect(refundedWhileProcessing === 0, `${refundedWhileProcessing} orders with a refunded amount but their refund PROCESSING`);
  checks.expect(ackedNotSucceeded === 0, `${ackedNotSucceeded} refunds acknowledged SUCCESS but not SUCCESS`);
  checks.expect(badEvents === 0, `${badEvents} payment_events rows not ${MOVED}/verified/refund_notify ${round.apiVersion} in a distinct run`);
  checks.expect(events.length === succeeded.size, `payment_events rows ${events.length} != refunds moved ${succeeded.size}`);
  checks.expect(refundEventMismatch === 0, `${refundEventMismatch} SUCCESS refunds without exactly one event`);
  checks.expect(succeeded.size >= acked && succeeded.size <= round.handed,
    `refunds SUCCESS ${succeeded.size} outside [acknowledged ${acked}, sent ${round.handed}]`);
  return { succeeded: succeeded.size, acked, sent: round.handed, events: events.length };
}

/** The stormed refunds and their orders, whole rows, and their events by source and outcome. */
async function snapshotRefunds(db, refundNos, orderNos) {
  const [ refunds ] = await db.query('SELECT * FROM refunds WHERE refund_no IN (?) ORDER BY id', [ refundNos ]);
  const [ orders ] = await db.query('SELECT * FROM orders WHERE order_no IN (?) ORDER BY id', [ orderNos ]);
  const [ events ] = await db.query(
    'SELECT source, outcome, COUNT(*) AS n FROM payment_events WHERE order_no IN (?) GROUP BY source, outcome', [ orderNos ]);
  const byOutcome = {};
  for (const e of events) byOutcome[`${e.source}/${e.outcome}`] = Number(e.n);
  return { rows: JSON.stringify([ refunds, orders ]), byOutcome, total: events.reduce((n, e) => n + Number(e.n), 0) };
}

// ---- main ----

async function main(protocol) {
  const notifyUrl = `${config.baseUrl}${protocol.path}`;
  const load = options => runLoad({ ...options, proto: protocol, url: notifyUrl });
  const info = machine();
  const dbOptions = mysqlOptions(config.databaseUrl);
  assertBenchDatabase(dbOptions);
  const db = await mysql.createConnection(dbOptions);
  const checks = new Checks();
  try {
    console.log(`${protocol.name} bench: ${notifyUrl}  ${config.label}`);
    console.log(`  machine: ${info.cores} cores (${info.cpuModel}), ${info.memoryGiB} GiB, Node ${info.node}, ${info.platform}`);
    await assertReachable(`${config.baseUrl}/healthz`);
    const { tag, fillSeconds } = await freshState(db, config.orders);
    const orders = config.orders;
    console.log(`  PAID orders with a PROCESSING refund of half: ${orders} (filled in ${fillSeconds.toFixed(1)} s)`);

    // Bodies for as many distinct refunds as the run can use, capped by the table.
    const wanted = Math.ceil(config.maxRate * (config.warmup + config.duration));
    const slots = Math.min(orders, wanted);
    const indices = sampleIndices(orders, slots, config.seed, config.targets === 'recent');
    const builtAt = Date.now();
    const items = new Array(slots);
    const slotOf = new Map();
    for (let slot = 0; slot < slots; slot++) {
      items[slot] = { slot, ...protocol.build(tag, indices[slot]) };
      slotOf.set(refundNoOf(tag, indices[slot]), slot);
    }
    console.log(`  ${slots} refund notify bodies (${config.targets} refunds, seed ${config.seed}) built in ${Date.now() - builtAt} ms` +
      (slots < wanted ? ' (table smaller than the run: rounds, refunds reset between them)' : ''));

    // A round hands out each body at most once; it ends at the deadline or when the bodies run out.
    let round = null;
    const roundSummaries = [];
    const newRound = () => {
      round = {
        handed: 0,
        acked: new Uint8Array(slots),
        slotOf,
        apiVersion: protocol.apiVersion,
        refundNoOfSlot: slot => refundNoOf(tag, indices[slot]),
        wechatRefundIdOfSlot: slot => wechatRefundIdOf(tag, indices[slot]),
      };
    };
    const closeRound = async reset => {
      roundSummaries.push(await verifyDistinctRound(db, checks, round));
      if (reset) await resetRefunded(db);
      newRound();
    };
    newRound();

    const distinct = seconds => runDistinct({ seconds, slots, items, currentRound: () => round, closeRound, load, url: notifyUrl });

    if (config.warmup > 0) {
      const warm = combine(await distinct(config.warmup));
      printScenario('warm-up (distinct)', warm);
    }
    const distinctResult = combine(await distinct(config.duration));
    await closeRound(false);
    printScenario('distinct refunds', distinctResult);
    console.log(`    ${describeCpu(distinctResult.cpu, distinctResult.completed)}`);

    // Duplicate storm over refunds the last round moved to SUCCESS.
    let stormResult = null;
    if (config.stormDuration > 0) {
      const [ doneRows ] = await db.query("SELECT refund_no, order_no FROM refunds WHERE status = 'SUCCESS' ORDER BY id LIMIT ?", [ config.stormOrders ]);
      const stormSlots = doneRows.map(row => slotOf.get(row.refund_no));
      checks.expect(stormSlots.length === config.stormOrders, `only ${stormSlots.length} SUCCESS refunds for the storm`);
      const refundNos = doneRows.map(r => r.refund_no);
      const orderNos = doneRows.map(r => r.order_no);
      const before = await snapshotRefunds(db, refundNos, orderNos);
      let cursor = 0;
      const storm = seconds => load({
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
      const after = await snapshotRefunds(db, refundNos, orderNos);
      const added = after.total - before.total;
      const duplicates = `refund_notify/${DUPLICATE}`;
      checks.expect(after.rows === before.rows, 'a duplicate refund notify rewrote a refund or order row');
      checks.expect((after.byOutcome[duplicates] || 0) - (before.byOutcome[duplicates] || 0) === added,
        `storm events that are not refund_notify ${DUPLICATE}`);
      checks.expect(added >= answered && added <= cursor, `storm events ${added} outside [answered ${answered}, sent ${cursor}]`);
      checks.expect(stormResult.notAcked === 0, `${stormResult.notAcked} duplicate refund notifies not acknowledged`);
      printScenario(`duplicate storm (${config.stormOrders} refund${config.stormOrders > 1 ? 's' : ''})`, stormResult);
      console.log(`    ${describeCpu(stormResult.cpu, stormResult.completed)}`);
      console.log(`  storm (warm-up included): ${cursor} sent, ${answered} answered, ${added} ${DUPLICATE} events added`);
    }

    const distinctChecked = roundSummaries.reduce((acc, r) => ({
      succeeded: acc.succeeded + r.succeeded, acked: acc.acked + r.acked, sent: acc.sent + r.sent, events: acc.events + r.events,
    }), { succeeded: 0, acked: 0, sent: 0, events: 0 });
    console.log(`  distinct (warm-up included): ${distinctChecked.sent} sent, ${distinctChecked.acked} acknowledged, ` +
      `${distinctChecked.succeeded} refunds SUCCESS, ${distinctChecked.events} events, in ${roundSummaries.length} round(s)`);
    checks.expect(distinctResult.notAcked === 0, `${distinctResult.notAcked} distinct refund notifies not acknowledged`);
    checks.expect(distinctResult.errors === 0 && distinctResult.non2xx === 0, 'errors or non-2xx in the distinct run');
    console.log(checks.failures.length ? `  CHECKS: ${checks.failures.length} FAILED` : '  checks: all passed');

    printBenchResult({ name: protocol.name, info, orders, distinctResult, stormResult, checks });

    // The pay benches that may follow in the same run know nothing of refunds: leave none behind,
    // unless a check failed (then the rows are what to look at).
    if (!checks.failures.length) await db.query('TRUNCATE TABLE refunds');
  } finally {
    await db.end();
  }
  if (checks.failures.length) process.exitCode = 1;
}

/** Runs the whole refund bench for a protocol (v2Protocol here; refund-notify-v3.js passes its own). */
function runRefundNotifyBench(protocol) {
  if (option('skip-fill', 'BENCH_SKIP_FILL', '') === '1') console.log('  (BENCH_SKIP_FILL ignored: the refunds are always seeded afresh)');
  return Promise.resolve().then(() => protocol.prepare()).then(() => main(protocol)).catch(err => {
    console.error(`${protocol.name} bench failed: ${err.stack || err.message}`);
    process.exit(2);
  });
}

module.exports = { runRefundNotifyBench, refundFacts, v3Time };

if (require.main === module) runRefundNotifyBench(v2Protocol);
