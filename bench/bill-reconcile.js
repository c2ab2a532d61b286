#!/usr/bin/env node
'use strict';

/**
 * Daily bill reconciliation at scale: POST /admin/api/reconciliations/<date>/run
 * of a running server (the prod build, WECHATPAY_API_VERSION=v2) on a bill of
 * N rows (--rows, 1,000,000 by default), timed, with the peak RSS of the worker
 * that ran it and the CPU of the app and of the database server.
 *
 *   1. a v2 ALL trade bill of one Beijing day (27-column header, every value
 *      backticked, yuan with 2 decimals, fee with 5, summary header and row),
 *      written with integer arithmetic only, streamed through gzip into a temp
 *      file (never the whole bill in memory);
 *   2. the matching local books inserted with multi-row INSERTs (5,000 rows a
 *      statement): PAID orders with the bill's transaction_id, amount and
 *      success time, SUCCESS refunds with the bill's refund numbers, plus
 *      420 deliberate discrepancies of seven kinds and some decoys (rows just
 *      outside the day, coupon payments) that must not be reported;
 *   3. a stand-in for WeChat Pay v2 on node:http (BENCH_BILL_PORT): POST
 *      /pay/downloadbill answers the gzip bytes for the bill's date (its
 *      request signature checked) and "No Bill Exist" for any other day;
 *      POST /pay/orderquery answers signed SUCCESS for the orders the bill
 *      proves paid but that are PENDING here (the app settles those only from
 *      a verified query, never from the unsigned bill);
 *   4. an operator created with database/staff-create.js, a staff login, the
 *      run (client time-out 15 min), RSS of every worker every 200 ms, what
 *      the app's connections are running every 500 ms (information_schema
 *      PROCESSLIST: where the database time goes), then exact checks of the day
 *      object, the CSV and the tables against the discrepancies planted.
 *
 * Environment (or --flags):
 *   BASE_URL (http://127.0.0.1:7401)   DATABASE_URL (its name must contain "bench"; wiped)
 *   WECHAT_APPID  WECHATPAY_MCHID  WECHATPAY_API_KEY  [WECHATPAY_SIGN_TYPE=MD5]
 *   BENCH_BILL_ROWS / --rows (1000000)  BENCH_BILL_PORT / --port (7404; the app's WECHATPAY_API_BASE
 *     must be http://127.0.0.1:<port>)   BENCH_BILL_DATE / --date (default: 3 days ago, Beijing:
 *     the schedule takes yesterday by itself, and must not race the bench for the day)
 *   BENCH_APP_PIDS (the workers), BENCH_DB_PIDS: CPU and RSS accounting
 *   BENCH_APP_DIR (the build whose database/staff-create.js creates the operator; default: the repo)
 *   BENCH_LABEL (free text printed with the results)
 * Prints the figures and a `BENCH_RESULT {json}` line; exits 1 if a check fails, 2 if the bench breaks.
 * Everything it starts (bill server, temp directory, child processes) is gone when it exits.
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { pipeline } = require('node:stream/promises');
const { Readable } = require('node:stream');
const zlib = require('node:zlib');
const { execFile } = require('node:child_process');
const mysql = require('mysql2/promise');
const {
  option, intOption, required, mysqlOptions, assertBenchDatabase, signV2, toXml, machine, sleep, CpuMeter,
} = require('./common');

const BATCH_ROWS = 5000;
const DAY_SECONDS = 86400;
const BEIJING_OFFSET_MS = 8 * 3600_000;
const RSS_SAMPLE_MS = 200;
const PROCESSLIST_SAMPLE_MS = 500;
const RUN_TIMEOUT_MS = 15 * 60_000; // the target is 120 s; a slower run is still measured, up to this
const STAFF_USER = 'bench';
const OPENID = 'bench-bill-user';
// 商品名称 with a comma and CJK text: the parser must split on ",`" only.
const PRODUCT = '测试商品,规格A';

// ---- the discrepancies planted, and what the day must report ----
// Fixed counts whatever the size, so that 100k and 1M runs report the same day object shape.
const PLANTED = {
  MISSING_LOCALLY: 100, // bill payments whose order we do not have
  AMOUNT_MISMATCH: 80, // local amount = bill 订单金额 + 1 fen
  PENDING_LOCALLY: 20, // PENDING here, settled by a (served, signed) order query: resolved
  MISSING_IN_BILL: 60, // PAID here that day, absent from the bill
  REFUND_IMPORTED: 40, // bill refunds of our orders, unknown refund_no: imported (REFUND_MISSING_LOCALLY, resolved)
  REFUND_FOREIGN: 30, // bill refunds of orders we do not have (REFUND_MISSING_LOCALLY, unresolved)
  REFUND_AMOUNT_MISMATCH: 50, // local refund amount = bill 申请退款金额 + 1 fen
  REFUND_MISSING_IN_BILL: 40, // SUCCESS refunds accepted here that day, absent from the bill
};
// Not discrepancies: rows a reconciliation must leave alone.
const COUPON_PAYMENTS = 30; // 代金券 1.00: 应结订单金额 < 订单金额, the order amount is 订单金额
const DECOY_ORDERS = 20; // PAID one second before the day / at its (exclusive) end, not in the bill
const DECOY_REFUNDS = 20; // refunds accepted just outside the day, not in the bill

const config = {
  baseUrl: option('base-url', 'BASE_URL', 'http://127.0.0.1:7401').replace(/\/$/, ''),
  databaseUrl: required('DATABASE_URL'),
  appId: required('WECHAT_APPID'),
  mchId: required('WECHATPAY_MCHID'),
  apiKey: required('WECHATPAY_API_KEY'),
  signType: option('sign-type', 'WECHATPAY_SIGN_TYPE', 'MD5'),
  rows: intOption('rows', 'BENCH_BILL_ROWS', 1_000_000, { min: 10_000, max: 5_000_000 }),
  port: intOption('port', 'BENCH_BILL_PORT', 7404, { min: 1, max: 65535 }),
  date: option('date', 'BENCH_BILL_DATE', beijingDate(Date.now() - 3 * DAY_SECONDS * 1000)),
  appDir: option('app-dir', 'BENCH_APP_DIR', path.resolve(__dirname, '..')),
  label: option('label', 'BENCH_LABEL', ''),
  appPids: pidList(process.env.BENCH_APP_PIDS),
};
if (!/^\d{4}-\d{2}-\d{2}$/.test(config.date)) throw new Error('--date must be YYYY-MM-DD');
{
  const host = new URL(config.baseUrl).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') throw new Error('BASE_URL must be a loopback address');
}

function pidList(value) {
  return String(value || '').split(/[\s,]+/).filter(Boolean).map(Number).filter(Number.isInteger);
}

function beijingDate(ms) {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

// ---- integer formatting: no floating point anywhere near money ----

const pad = (n, width) => String(n).padStart(width, '0');
/** fen → yuan text with 2 decimals (fen ≥ 0 here). */
const yuan = fen => `${Math.floor(fen / 100)}.${pad(fen % 100, 2)}`;
/** 1/100000-yuan units → 5-decimal text, negative allowed (a refund gives the fee back). */
function fee5(units) {
  const abs = Math.abs(units);
  return `${units < 0 ? '-' : ''}${Math.floor(abs / 100000)}.${pad(abs % 100000, 5)}`;
}
/** The fee of an amount at 0.60 %: fen × 6 in 1/100000 yuan, exact. */
const feeOf = fen => fen * 6;
/** Seconds since Beijing midnight of the bill day → "yyyy-MM-dd HH:mm:ss". */
const clock = s => `${config.date} ${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}`;

// ---- the plan: which bill row is what, computed from indices (nothing per row is stored) ----

/**
 * Bill rows: P payments (index i, in time order) and F refund rows. Payment
 * specials sit at indices ≡ 3 (mod 10), refunded orders at indices ≡ 7 (mod 10),
 * so that no order is both. Refund rows of our orders: matched j → order 40j+7,
 * imported j → 40j+17, local-only (missing in bill) j → 40j+27, decoys j → 40j+37.
 */
function makePlan(rows, tag) {
  const refundRows = Math.max(1000, Math.floor(rows / 50));
  const payments = rows - refundRows;
  const refundSpecials = PLANTED.REFUND_IMPORTED + PLANTED.REFUND_FOREIGN;
  const matched = refundRows - refundSpecials;
  if (40 * matched + 40 > payments) throw new Error('too few rows for the plan');
  const dayStartMs = Date.parse(`${config.date}T00:00:00Z`) - BEIJING_OFFSET_MS;

  // payment specials, spread evenly over the day
  const specialKinds = [];
  for (const [ kind, n ] of [ [ 'MISSING_LOCALLY', PLANTED.MISSING_LOCALLY ], [ 'AMOUNT_MISMATCH', PLANTED.AMOUNT_MISMATCH ],
    [ 'PENDING_LOCALLY', PLANTED.PENDING_LOCALLY ], [ 'COUPON', COUPON_PAYMENTS ] ]) for (let k = 0; k < n; k++) specialKinds.push(kind);
  // interleave the kinds: a deterministic shuffle so each kind spans the whole day
  const shuffled = specialKinds.map((kind, k) => ({ kind, key: (k * 2654435761) % 4294967291 })).sort((a, b) => a.key - b.key);
  const slots = Math.floor(payments / 10);
  const paymentSpecial = new Map();
  shuffled.forEach(({ kind }, k) => paymentSpecial.set(10 * Math.floor((k + 0.5) * slots / shuffled.length) + 3, kind));

  // refund rows of the bill, in time order: specials at spread positions, matched refunds elsewhere
  const refundAt = new Map(); // position → { type, j }
  for (let k = 0; k < refundSpecials; k++) {
    // 40 of every 70 positions (k·40 mod 70 < 40), evenly mixed; corrected below if the counts change
    const type = (k * PLANTED.REFUND_IMPORTED) % refundSpecials < PLANTED.REFUND_IMPORTED ? 'IMPORTED' : 'FOREIGN';
    refundAt.set(Math.floor((k + 0.5) * refundRows / refundSpecials), { type });
  }
  let imported = 0;
  let foreign = 0;
  for (const entry of refundAt.values()) {
    // correct the split to the exact planted counts
    if (entry.type === 'IMPORTED' && imported >= PLANTED.REFUND_IMPORTED) entry.type = 'FOREIGN';
    if (entry.type === 'FOREIGN' && foreign >= PLANTED.REFUND_FOREIGN) entry.type = 'IMPORTED';
    entry.j = entry.type === 'IMPORTED' ? imported++ : foreign++;
  }
  if (imported !== PLANTED.REFUND_IMPORTED || foreign !== PLANTED.REFUND_FOREIGN) throw new Error('refund plan does not add up');
  const refundMismatch = new Set();
  for (let k = 0; k < PLANTED.REFUND_AMOUNT_MISMATCH; k++) refundMismatch.add(Math.floor((k + 0.5) * matched / PLANTED.REFUND_AMOUNT_MISMATCH));

  const plan = {
    tag, rows, payments, refundRows, matched, dayStartMs, paymentSpecial, refundAt, refundMismatch,
    orderNo: i => `BB${tag}${pad(i, 8)}`,
    transactionId: i => `4200${pad(i, 10)}${tag}`,
    amount: i => 100 + ((i * 7919) % 99_900), // 1.00 .. 999.99 yuan
    paidSecond: i => Math.floor(i * DAY_SECONDS / payments),
    refundAmount: j => 1 + (j % 90), // below every order amount
    refundSecond: q => Math.floor(q * DAY_SECONDS / refundRows),
    // one refund row description for bill position q
    billRefund(q) {
      const special = refundAt.get(q);
      if (special && special.type === 'FOREIGN') {
        const j = special.j;
        return { orderNo: `BX${tag}${pad(j, 8)}`, transactionId: `4299${pad(j, 10)}${tag}`, refundNo: `BU${tag}${pad(j, 8)}`,
          refundId: `5099${pad(j, 10)}`, amount: plan.refundAmount(j), second: plan.refundSecond(q), type: 'FOREIGN', j };
      }
      if (special) {
        const j = special.j;
        const order = 40 * j + 17;
        return { orderNo: plan.orderNo(order), transactionId: plan.transactionId(order), refundNo: `BI${tag}${pad(j, 8)}`,
          refundId: `5088${pad(j, 10)}`, amount: plan.refundAmount(j), second: plan.refundSecond(q), type: 'IMPORTED', j, order };
      }
      return null; // matched: see matchedAt
    },
  };
  // matched refund j ↔ bill position: positions not taken by specials, in order
  const matchedPosition = new Int32Array(matched);
  for (let q = 0, j = 0; q < refundRows; q++) if (!refundAt.has(q)) matchedPosition[j++] = q;
  plan.matchedRefund = j => {
    const order = 40 * j + 7;
    const q = matchedPosition[j];
    return { orderNo: plan.orderNo(order), transactionId: plan.transactionId(order), refundNo: `BR${tag}${pad(j, 8)}`,
      refundId: `5077${pad(j, 10)}`, amount: plan.refundAmount(j), second: plan.refundSecond(q), type: 'MATCHED', j, order, q };
  };
  plan.positionToMatched = new Int32Array(refundRows).fill(-1);
  for (let j = 0; j < matched; j++) plan.positionToMatched[matchedPosition[j]] = j;
  plan.at = second => new Date(dayStartMs + second * 1000);
  return plan;
}

// ---- the bill file ----

const ALL_HEADER = '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,'
  + '应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
const SUMMARY_HEADER = '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';

/** Values → one bill line: every value prefixed by a backtick, comma separated. */
const line = values => `\`${values.join(',`')}\n`;

/**
 * The bill as a stream of text chunks (a few thousand lines each), with the
 * totals it declares, summed as integers while the lines are made.
 */
function* billChunks(plan, totals) {
  const { appId, mchId } = config;
  yield `${ALL_HEADER}\n`;
  let chunk = '';
  let lines = 0;
  let q = 0; // next refund position
  const paymentLine = i => {
    const amount = plan.amount(i);
    const coupon = plan.paymentSpecial.get(i) === 'COUPON' ? 100 : 0;
    const settled = amount - coupon;
    totals.count++;
    totals.settled += settled;
    totals.order += amount;
    totals.fee5 += feeOf(settled);
    return line([ clock(plan.paidSecond(i)), appId, mchId, '0', '', plan.transactionId(i), plan.orderNo(i), OPENID, 'JSAPI', 'SUCCESS',
      'OTHERS', 'CNY', yuan(settled), yuan(coupon), '0', '0', '0.00', '0.00', '', '', PRODUCT, '', fee5(feeOf(settled)), '0.60%',
      yuan(amount), '0.00', '' ]);
  };
  const refundLine = r => {
    totals.count++;
    totals.refund += r.amount;
    totals.requested += r.amount;
    totals.fee5 -= feeOf(r.amount);
    return line([ clock(r.second), appId, mchId, '0', '', r.transactionId, r.orderNo, OPENID, 'JSAPI', 'REFUND',
      'OTHERS', 'CNY', '0.00', '0.00', r.refundId, r.refundNo, yuan(r.amount), '0.00', 'ORIGINAL', 'SUCCESS', PRODUCT, '',
      fee5(-feeOf(r.amount)), '0.60%', '0.00', yuan(r.amount), '' ]);
  };
  for (let i = 0; i < plan.payments; i++) {
    chunk += paymentLine(i);
    lines++;
    // refunds merged in by time: every refund row accepted by this payment's second
    while (q < plan.refundRows && plan.refundSecond(q) <= plan.paidSecond(i)) {
      const j = plan.positionToMatched[q];
      chunk += refundLine(j >= 0 ? plan.matchedRefund(j) : plan.billRefund(q));
      q++;
      lines++;
    }
    if (lines >= 2000) {
      yield chunk;
      chunk = '';
      lines = 0;
    }
  }
  for (; q < plan.refundRows; q++) {
    const j = plan.positionToMatched[q];
    chunk += refundLine(j >= 0 ? plan.matchedRefund(j) : plan.billRefund(q));
  }
  yield chunk;
  yield `${SUMMARY_HEADER}\n`;
  yield line([ String(totals.count), yuan(totals.settled), yuan(totals.refund), '0.00', fee5(totals.fee5), yuan(totals.order),
    yuan(totals.requested) ]).replace(/\n$/, '');
}

async function writeBill(plan, file) {
  const totals = { count: 0, settled: 0, refund: 0, requested: 0, order: 0, fee5: 0 };
  await pipeline(Readable.from(billChunks(plan, totals)), zlib.createGzip(), fs.createWriteStream(file));
  return totals;
}

// ---- the local books ----

async function fillDatabase(db, plan) {
  await db.query('SET FOREIGN_KEY_CHECKS = 0');
  for (const table of [ 'bill_discrepancies', 'bill_rows', 'bill_reconciliations', 'refunds', 'payment_events', 'order_items',
    'orders', 'staff', 'users' ]) await db.query(`TRUNCATE TABLE ${table}`);
  await db.query('SET FOREIGN_KEY_CHECKS = 1');
  const now = new Date();
  const [ user ] = await db.query('INSERT INTO users (openid, created_at, updated_at) VALUES (?, ?, ?)', [ OPENID, now, now ]);
  const userId = user.insertId;
  const expiresAt = new Date(now.getTime() + 7 * DAY_SECONDS * 1000);
  const expected = { local: { count: 0, settled: 0, refundCount: 0, refund: 0 }, byKind: {} };
  const expect = (kind, d) => (expected.byKind[kind] ||= []).push(d);

  // refunds per refunded order (matched, local-only and decoys), for the orders' refunded_amount
  const localRefunds = [];
  for (let j = 0; j < plan.matched; j++) {
    const r = plan.matchedRefund(j);
    const mismatch = plan.refundMismatch.has(j);
    const local = { ...r, localAmount: mismatch ? r.amount + 1 : r.amount, acceptedAt: plan.at(r.second) };
    localRefunds.push(local);
    if (mismatch) expect('REFUND_AMOUNT_MISMATCH', { orderNo: r.orderNo, refundNo: r.refundNo, billAmount: r.amount, localAmount: r.amount + 1, resolved: false });
  }
  for (let j = 0; j < PLANTED.REFUND_MISSING_IN_BILL; j++) {
    const order = 40 * j + 27;
    const amount = plan.refundAmount(j + 7);
    const second = Math.floor((j + 0.5) * DAY_SECONDS / PLANTED.REFUND_MISSING_IN_BILL);
    localRefunds.push({ orderNo: plan.orderNo(order), transactionId: plan.transactionId(order), refundNo: `BL${plan.tag}${pad(j, 8)}`,
      refundId: `5066${pad(j, 10)}`, localAmount: amount, acceptedAt: plan.at(second), order });
    expect('REFUND_MISSING_IN_BILL', { orderNo: plan.orderNo(order), refundNo: `BL${plan.tag}${pad(j, 8)}`, billAmount: null, localAmount: amount, resolved: false });
  }
  for (let j = 0; j < DECOY_REFUNDS; j++) {
    const order = 40 * j + 37;
    // one second before the day, or exactly at its end (exclusive): not that day's
    const acceptedAt = j % 2 ? plan.at(-1) : plan.at(DAY_SECONDS);
    localRefunds.push({ orderNo: plan.orderNo(order), transactionId: plan.transactionId(order), refundNo: `BE${plan.tag}${pad(j, 8)}`,
      refundId: `5055${pad(j, 10)}`, localAmount: plan.refundAmount(j), acceptedAt, order, decoy: true });
  }
  const refundedOf = new Map();
  for (const r of localRefunds) {
    refundedOf.set(r.order, (refundedOf.get(r.order) || 0) + r.localAmount);
    if (!r.decoy) {
      expected.local.refundCount++;
      expected.local.refund += r.localAmount;
    }
  }
  // imported refunds count on our side once imported (accepted at the bill's time, that day)
  for (let q = 0; q < plan.refundRows; q++) {
    const r = plan.billRefund(q);
    if (!r) continue;
    if (r.type === 'IMPORTED') {
      expected.local.refundCount++;
      expected.local.refund += r.amount;
      expect('REFUND_MISSING_LOCALLY', { orderNo: r.orderNo, refundNo: r.refundNo, billAmount: r.amount, localAmount: null, resolved: true });
    } else {
      expect('REFUND_MISSING_LOCALLY', { orderNo: r.orderNo, refundNo: r.refundNo, billAmount: r.amount, localAmount: null, resolved: false });
    }
  }

  const started = Date.now();
  const insertOrders = rows => db.query('INSERT INTO orders (order_no, user_id, amount, description, status, transaction_id, paid_at, '
    + 'expires_at, refund_reserved, refunded_amount, prepay_id, created_at, updated_at) VALUES ?', [ rows ]);
  let batch = [];
  const flush = async () => {
    if (batch.length) await insertOrders(batch);
    batch = [];
  };
  const pending = [];
  for (let i = 0; i < plan.payments; i++) {
    const kind = plan.paymentSpecial.get(i);
    const amount = plan.amount(i);
    const paidAt = plan.at(plan.paidSecond(i));
    if (kind === 'MISSING_LOCALLY') {
      expect('MISSING_LOCALLY', { orderNo: plan.orderNo(i), billAmount: amount, localAmount: null, resolved: false });
      continue;
    }
    if (kind === 'PENDING_LOCALLY') {
      // created "now": the order schedule must not settle it before the bill run does (RECONCILE_AFTER_SECONDS)
      pending.push({ i, orderNo: plan.orderNo(i), transactionId: plan.transactionId(i), amount, paidAt });
      batch.push([ plan.orderNo(i), userId, amount, 'bench bill order', 'PENDING', null, null, expiresAt, 0, 0, `wx_bench_${i}`, now, now ]);
      expect('PENDING_LOCALLY', { orderNo: plan.orderNo(i), billAmount: amount, localAmount: amount, resolved: true });
      // settled from the query with its time_end: counts on our side of the day
      expected.local.count++;
      expected.local.settled += amount;
    } else {
      const localAmount = kind === 'AMOUNT_MISMATCH' ? amount + 1 : amount;
      if (kind === 'AMOUNT_MISMATCH') expect('AMOUNT_MISMATCH', { orderNo: plan.orderNo(i), billAmount: amount, localAmount, resolved: false });
      const refunded = refundedOf.get(i) || 0;
      batch.push([ plan.orderNo(i), userId, localAmount, 'bench bill order', 'PAID', plan.transactionId(i), paidAt, expiresAt, refunded, refunded,
        null, paidAt, paidAt ]);
      expected.local.count++;
      expected.local.settled += localAmount;
    }
    if (batch.length >= BATCH_ROWS) await flush();
  }
  // ours, paid that day, absent from the bill
  for (let k = 0; k < PLANTED.MISSING_IN_BILL; k++) {
    const amount = 100 + k;
    const paidAt = plan.at(Math.floor((k + 0.5) * DAY_SECONDS / PLANTED.MISSING_IN_BILL));
    const orderNo = `BM${plan.tag}${pad(k, 8)}`;
    batch.push([ orderNo, userId, amount, 'bench bill order', 'PAID', `4277${pad(k, 10)}${plan.tag}`, paidAt, expiresAt, 0, 0, null, paidAt, paidAt ]);
    expected.local.count++;
    expected.local.settled += amount;
    expect('MISSING_IN_BILL', { orderNo, billAmount: null, localAmount: amount, resolved: false });
  }
  // paid just outside the day, absent from the bill: must not be reported
  for (let k = 0; k < DECOY_ORDERS; k++) {
    const paidAt = k % 2 ? plan.at(-1) : plan.at(DAY_SECONDS);
    batch.push([ `BD${plan.tag}${pad(k, 8)}`, userId, 100 + k, 'bench bill order', 'PAID', `4266${pad(k, 10)}${plan.tag}`, paidAt, expiresAt,
      0, 0, null, paidAt, paidAt ]);
  }
  await flush();

  for (let start = 0; start < localRefunds.length; start += BATCH_ROWS) {
    const rows = localRefunds.slice(start, start + BATCH_ROWS).map(r => [ r.refundNo, r.orderNo, r.transactionId, 1, r.localAmount,
      plan.amount(r.order), 'SUCCESS', 'bench', r.refundId, r.acceptedAt, r.acceptedAt, r.acceptedAt, r.acceptedAt ]);
    await db.query('INSERT INTO refunds (refund_no, order_no, transaction_id, own_transaction, amount, transaction_total, status, '
      + 'created_by, wechat_refund_id, accepted_at, succeeded_at, created_at, updated_at) VALUES ?', [ rows ]);
  }
  await db.query('ANALYZE TABLE orders, refunds');
  const fillSeconds = (Date.now() - started) / 1000;
  await settle(db);
  return { expected, pending, fillSeconds, localRefunds: localRefunds.length };
}

/** Lets InnoDB write out what the fill dirtied (at most 90 s) so the run does not compete with that flushing. */
async function settle(db) {
  const dirty = async () => Number((await db.query("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'"))[0][0]?.Value ?? 0);
  const started = Date.now();
  let pages = await dirty();
  let lowest = pages;
  let lowestAt = started;
  // done when few pages are dirty, or when InnoDB stopped writing them out for 10 s (then it no longer competes)
  while (pages >= 1000 && Date.now() - started < 90_000 && Date.now() - lowestAt < 10_000) {
    await sleep(1000);
    pages = await dirty();
    if (pages < lowest * 0.95) {
      lowest = pages;
      lowestAt = Date.now();
    }
  }
  if (Date.now() - started > 1500) console.log(`  waited ${((Date.now() - started) / 1000).toFixed(0)} s for InnoDB to flush the fill (${pages} dirty pages left)`);
}

// ---- the stand-in for WeChat Pay v2 ----

function parseXmlFields(text) {
  const fields = {};
  const re = /<([A-Za-z_][\w]*)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g;
  let m;
  while ((m = re.exec(text))) fields[m[1]] = m[2] !== undefined ? m[2] : m[3];
  return fields;
}

function startBillServer(plan, file, pendingByOrderNo) {
  const stats = { downloadbill: 0, downloadbillOurDay: 0, badSignature: 0, orderquery: 0, other: {}, downloadMs: [] };
  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', c => {
      size += c.length;
      if (size <= 64 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      const fields = parseXmlFields(Buffer.concat(chunks).toString('utf8'));
      const signed = fields.sign && fields.sign === signV2(fields, config.apiKey, fields.sign_type || 'MD5');
      if (!signed) stats.badSignature++;
      const xml = (status, body) => {
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(body);
      };
      if (req.method === 'POST' && req.url === '/pay/downloadbill') {
        stats.downloadbill++;
        if (fields.bill_date !== config.date.replace(/-/g, '')) {
          // WeChat's answer for a day without trades: plain XML, unsigned, even though GZIP was asked
          return xml(200, toXml({ return_code: 'FAIL', return_msg: 'No Bill Exist', error_code: '20002' }));
        }
        stats.downloadbillOurDay++;
        const started = Date.now();
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': fs.statSync(file).size });
        const body = fs.createReadStream(file);
        body.on('error', () => res.destroy());
        res.on('finish', () => stats.downloadMs.push(Date.now() - started));
        return body.pipe(res);
      }
      if (req.method === 'POST' && req.url === '/pay/orderquery') {
        stats.orderquery++;
        const order = pendingByOrderNo.get(fields.out_trade_no);
        const reply = { return_code: 'SUCCESS', return_msg: 'OK', appid: config.appId, mch_id: config.mchId,
          nonce_str: crypto.randomBytes(8).toString('hex'), sign_type: config.signType === 'MD5' ? undefined : config.signType };
        if (order) {
          Object.assign(reply, { result_code: 'SUCCESS', out_trade_no: order.orderNo, transaction_id: order.transactionId,
            trade_state: 'SUCCESS', total_fee: String(order.amount), cash_fee: String(order.amount), fee_type: 'CNY',
            trade_type: 'JSAPI', openid: OPENID, bank_type: 'OTHERS', is_subscribe: 'N',
            time_end: new Date(order.paidAt.getTime() + BEIJING_OFFSET_MS).toISOString().replace(/\D/g, '').slice(0, 14) });
        } else {
          Object.assign(reply, { result_code: 'FAIL', err_code: 'ORDERNOTEXIST', err_code_des: 'order not exist' });
        }
        reply.sign = signV2(reply, config.apiKey, config.signType);
        return xml(200, toXml(reply));
      }
      // anything else the app's schedules might call (refund queries...): a clean refusal, counted
      stats.other[req.url] = (stats.other[req.url] || 0) + 1;
      return xml(200, toXml({ return_code: 'FAIL', return_msg: 'not served by the bill bench' }));
    });
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, '127.0.0.1', () => resolve({ server, stats }));
  });
}

// ---- the app ----

function request(method, url, { headers = {}, body, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) } }, res => {
      const chunks = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url}: no answer in ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

function createOperator(password) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [ 'database/staff-create.js', '--username', STAFF_USER, '--role', 'operator' ], {
      cwd: config.appDir, timeout: 60_000, env: { ...process.env, STAFF_PASSWORD: password },
    }, (err, stdout, stderr) => (err ? reject(new Error(`staff-create failed: ${err.message}\n${stdout}${stderr}`)) : resolve()));
  });
}

async function login(password) {
  const res = await request('POST', `${config.baseUrl}/admin/api/login`, { body: { username: STAFF_USER, password } });
  if (res.status !== 200) throw new Error(`login: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  return JSON.parse(res.text).token;
}

// ---- measuring ----

function rssKiB(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return { rss: rss ? Number(rss[1]) : 0, hwm: hwm ? Number(hwm[1]) : 0 };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

function cpuTicks(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

/** RSS of every worker every 200 ms: baseline, peak, and the CPU each burnt (the one that burnt most ran the reconciliation). */
function startRssSampler(pids) {
  const state = new Map(pids.map(pid => [ pid, { pid, baseline: rssKiB(pid).rss, peak: 0, hwmBefore: rssKiB(pid).hwm, ticks: cpuTicks(pid), timeline: [] } ]));
  const started = Date.now();
  let n = 0;
  const timer = setInterval(() => {
    n++;
    for (const s of state.values()) {
      const { rss } = rssKiB(s.pid);
      if (rss > s.peak) s.peak = rss;
      if (n % 25 === 0) s.timeline.push([ Math.round((Date.now() - started) / 1000), Math.round(rss / 1024) ]); // every 5 s
    }
  }, RSS_SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      return [ ...state.values() ].map(s => ({ ...s, ticks: cpuTicks(s.pid) - s.ticks, hwmAfter: rssKiB(s.pid).hwm }));
    },
  };
}

/**
 * What the app's connections run, sampled: seconds of statement time by
 * statement shape. It shows where a slow run spends its database time
 * (staging INSERTs, the comparisons, the DELETE of the staging rows).
 */
function startProcesslistSampler(db, database) {
  const byShape = new Map();
  let stopped = false;
  let samples = 0;
  // the statement's start, plus the first kind literal it writes: the five INSERT … SELECT comparisons differ only there
  const shape = sql => {
    const text = sql.replace(/\s+/g, ' ');
    const kind = /'([A-Z_]{4,})'/.exec(text);
    return `${text.replace(/VALUES \(.*$/, 'VALUES (…)').replace(/\d+/g, 'N').slice(0, 90)}${kind ? ` … '${kind[1]}'` : ''}`;
  };
  const loop = (async () => {
    while (!stopped) {
      const t = Date.now();
      try {
        const [ rows ] = await db.query("SELECT INFO FROM information_schema.PROCESSLIST WHERE DB = ? AND COMMAND IN ('Query', 'Execute') "
          + 'AND ID <> CONNECTION_ID() AND INFO IS NOT NULL', [ database ]);
        samples++;
        for (const row of rows) {
          const key = shape(String(row.INFO));
          byShape.set(key, (byShape.get(key) || 0) + 1);
        }
      } catch { /* a sample lost is no reason to fail the bench */ }
      await sleep(Math.max(0, PROCESSLIST_SAMPLE_MS - (Date.now() - t)));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { samples, seconds: [ ...byShape.entries() ].map(([ sql, n ]) => ({ sql, seconds: n * PROCESSLIST_SAMPLE_MS / 1000 }))
        .sort((a, b) => b.seconds - a.seconds) };
    },
  };
}

// ---- checks ----

class Checks {
  constructor() {
    this.failures = [];
    this.passed = 0;
  }

  expect(ok, message) {
    if (ok) this.passed++;
    else {
      this.failures.push(message);
      console.log(`  CHECK FAILED: ${message}`);
    }
  }

  equal(actual, wanted, what) {
    this.expect(JSON.stringify(actual) === JSON.stringify(wanted), `${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
  }
}

const KIND_OF = { REFUND_IMPORTED: 'REFUND_MISSING_LOCALLY', REFUND_FOREIGN: 'REFUND_MISSING_LOCALLY' };

function checkDay(checks, day, plan, bill, expected) {
  checks.equal(day.status, 'DONE', 'day status');
  checks.equal(day.runBy, STAFF_USER, 'day runBy');
  checks.equal(day.bill, { count: plan.rows, settledTotal: bill.settled, refundTotal: bill.refund, feeTotal: fee5(bill.fee5) }, 'bill summary');
  checks.equal(day.local, { count: expected.local.count + expected.local.refundCount, settledTotal: expected.local.settled,
    refundTotal: expected.local.refund }, 'local totals');
  const planted = Object.values(expected.byKind).reduce((n, list) => n + list.length, 0);
  const wantResolved = Object.values(expected.byKind).flat().filter(d => d.resolved).length;
  checks.equal(day.discrepancyCount, planted, 'discrepancyCount');
  checks.equal(day.unresolvedCount, planted - wantResolved, 'unresolvedCount');
  const listed = Array.isArray(day.discrepancies) ? day.discrepancies : [];
  checks.equal(listed.length, Math.min(planted, 1000), 'discrepancies listed');
  const gotByKind = {};
  for (const d of listed) (gotByKind[d.kind] ||= []).push(d);
  const counts = o => Object.fromEntries(Object.entries(o).map(([ k, v ]) => [ k, v.length ]).sort());
  checks.equal(counts(gotByKind), counts(expected.byKind), 'discrepancies by kind');
  // each one exactly: order, refund, amounts, resolved
  const key = d => [ d.kind, d.orderNo, d.refundNo ?? null, d.billAmount, d.localAmount, d.resolved ].join('|');
  const want = new Set();
  for (const [ kind, list ] of Object.entries(expected.byKind)) for (const d of list) want.add(key({ kind, refundNo: null, ...d }));
  const got = new Set(listed.map(d => key({ ...d, refundNo: d.kind.startsWith('REFUND') ? d.refundNo : null })));
  const missing = [ ...want ].filter(k => !got.has(k));
  const extra = [ ...got ].filter(k => !want.has(k));
  checks.expect(missing.length === 0, `${missing.length} planted discrepancies not reported as planted, e.g. ${missing.slice(0, 3).join('; ')}`);
  checks.expect(extra.length === 0, `${extra.length} unexpected discrepancies, e.g. ${extra.slice(0, 3).join('; ')}`);
  return { planted, resolved: wantResolved, byKind: counts(gotByKind) };
}

async function checkTables(checks, db, plan, pending) {
  const [[ staged ]] = await db.query('SELECT COUNT(*) AS n FROM bill_rows');
  checks.equal(Number(staged.n), 0, 'bill_rows left after the run');
  const [[ imported ]] = await db.query("SELECT COUNT(*) AS n FROM refunds WHERE created_by = 'merchant-platform'");
  checks.equal(Number(imported.n), PLANTED.REFUND_IMPORTED, 'refunds imported from the bill');
  const [ settled ] = await db.query('SELECT order_no, status, transaction_id, paid_at FROM orders WHERE order_no IN (?)', [ pending.map(p => p.orderNo) ]);
  const wrong = settled.filter(row => {
    const p = pending.find(x => x.orderNo === row.order_no);
    return row.status !== 'PAID' || row.transaction_id !== p.transactionId || new Date(row.paid_at).getTime() !== p.paidAt.getTime();
  });
  checks.expect(settled.length === pending.length && wrong.length === 0,
    `PENDING orders settled from the order query: ${settled.length - wrong.length}/${pending.length} PAID with the bill's transaction and time`);
}

// ---- main ----

async function main() {
  const info = machine();
  const dbOptions = mysqlOptions(config.databaseUrl);
  assertBenchDatabase(dbOptions);
  const checks = new Checks();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wxbench-bill-'));
  const file = path.join(tmp, `bill-${config.date}.csv.gz`);
  let db;
  let monitor;
  let billServer;
  const cleanup = async () => {
    if (billServer) await new Promise(resolve => { billServer.server.closeAllConnections?.(); billServer.server.close(() => resolve()); });
    billServer = undefined;
    for (const c of [ monitor, db ]) if (c) await c.end().catch(() => undefined);
    monitor = db = undefined;
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  // a signal ends the bench, but the temp files and the port go with it
  const onSignal = () => { cleanup().finally(() => process.exit(130)); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    console.log(`bill-reconcile bench: ${config.rows} bill rows for ${config.date}, ${config.baseUrl}  ${config.label}`);
    console.log(`  machine: ${info.cores} cores (${info.cpuModel}), ${info.memoryGiB} GiB, Node ${info.node}, ${info.platform}`);
    if (!config.appPids.length) throw new Error('BENCH_APP_PIDS (the app workers) is required: the bench reports their RSS');
    const health = await request('GET', `${config.baseUrl}/healthz`, { timeoutMs: 5000 });
    if (health.status !== 200) throw new Error(`${config.baseUrl}/healthz answered ${health.status}`);

    const plan = makePlan(config.rows, Date.now().toString(36).slice(-6).toUpperCase());
    let t = Date.now();
    const bill = await writeBill(plan, file);
    const gzBytes = fs.statSync(file).size;
    checks.equal(bill.count, config.rows, 'bill rows written');
    console.log(`  bill: ${plan.payments} payments + ${plan.refundRows} refunds, ${(gzBytes / 2 ** 20).toFixed(1)} MiB gzip, `
      + `written in ${((Date.now() - t) / 1000).toFixed(1)} s (bench RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB)`);

    db = await mysql.createConnection(dbOptions);
    monitor = await mysql.createConnection(dbOptions);
    const { expected, pending, fillSeconds, localRefunds } = await fillDatabase(db, plan);
    console.log(`  local books: ${plan.payments - PLANTED.MISSING_LOCALLY + PLANTED.MISSING_IN_BILL + DECOY_ORDERS} orders, ${localRefunds} refunds, `
      + `filled in ${fillSeconds.toFixed(1)} s; planted: ${Object.entries(PLANTED).map(([ k, v ]) => `${KIND_OF[k] ? `${k}→${KIND_OF[k]}` : k} ${v}`).join(', ')}`);

    billServer = await startBillServer(plan, file, new Map(pending.map(p => [ p.orderNo, p ])));
    const password = crypto.randomBytes(18).toString('base64url');
    await createOperator(password);
    const token = await login(password);

    const meter = new CpuMeter();
    const rss = startRssSampler(config.appPids);
    const sqlSampler = startProcesslistSampler(monitor, dbOptions.database);
    meter.start();
    t = process.hrtime.bigint();
    // the samplers stop whatever the run came to, so that a failed run still says where it was
    const res = await request('POST', `${config.baseUrl}/admin/api/reconciliations/${config.date}/run`,
      { headers: { authorization: `Bearer ${token}` }, timeoutMs: RUN_TIMEOUT_MS })
      .catch(err => ({ status: 0, text: err.message }));
    const wall = Number(process.hrtime.bigint() - t) / 1e9;
    const cpu = meter.stop();
    const workers = rss.stop();
    const sqlTime = await sqlSampler.stop();
    checks.equal(res.status, 200, 'POST run HTTP status');
    let day = {};
    try {
      day = JSON.parse(res.text);
    } catch {
      checks.expect(false, `POST run answered no JSON: ${res.text.slice(0, 200)}`);
    }
    const runner = workers.reduce((a, b) => (b.ticks > a.ticks ? b : a));
    const summary = checkDay(checks, day, plan, bill, expected);

    const csv = await request('GET', `${config.baseUrl}/admin/api/reconciliations/${config.date}/discrepancies.csv`,
      { headers: { authorization: `Bearer ${token}` }, timeoutMs: 60_000 });
    checks.equal(csv.status, 200, 'CSV HTTP status');
    checks.equal(csv.text.split('\r\n').filter(Boolean).length, summary.planted + 1, 'CSV lines (header + one per discrepancy)');
    await checkTables(checks, db, plan, pending);
    const s = billServer.stats;
    checks.equal(s.downloadbillOurDay, 1, 'downloadbill calls for the day');
    checks.equal(s.badSignature, 0, 'requests to the bill server with a bad signature');
    checks.equal(s.orderquery, PLANTED.PENDING_LOCALLY, 'order queries');

    const mib = kib => Math.round(kib / 1024);
    console.log(`  run: HTTP ${res.status}, status ${day.status}, ${wall.toFixed(1)} s wall, ${Math.round(config.rows / wall)} rows/s`
      + ` (bill download ${s.downloadMs.map(ms => `${ms} ms`).join(', ') || '-'})`);
    console.log(`  worker that ran it (pid ${runner.pid}, ${(runner.ticks / 100).toFixed(1)} s CPU): RSS ${mib(runner.baseline)} MiB before, `
      + `peak ${mib(runner.peak)} MiB (+${mib(runner.peak - runner.baseline)}), VmHWM ${mib(runner.hwmAfter)} MiB`);
    console.log(`  RSS every 5 s (s, MiB): ${runner.timeline.map(([ at, m ]) => `${at}:${m}`).join(' ')}`);
    for (const w of workers) if (w !== runner) console.log(`  other worker pid ${w.pid}: RSS ${mib(w.baseline)} → peak ${mib(w.peak)} MiB, ${(w.ticks / 100).toFixed(1)} s CPU`);
    console.log(`  cpu s: ${Object.entries(cpu.cpu).map(([ k, v ]) => `${k} ${v.toFixed(1)}`).join(', ')}; machine busy `
      + `${cpu.machineBusyCores.toFixed(2)} of ${info.cores} cores (others ${cpu.otherCores.toFixed(2)})`);
    console.log(`  database time by statement (sampled every ${PROCESSLIST_SAMPLE_MS} ms, ${sqlTime.samples} samples):`);
    for (const row of sqlTime.seconds.slice(0, 10)) console.log(`    ${row.seconds.toFixed(1).padStart(6)} s  ${row.sql}`);
    console.log(`  discrepancies: ${day.discrepancyCount} (${day.unresolvedCount} unresolved): ${JSON.stringify(summary.byKind)}`);
    if (Object.keys(s.other).length) console.log(`  other calls to the bill server: ${JSON.stringify(s.other)}`);
    console.log(checks.failures.length ? `  CHECKS: ${checks.failures.length} FAILED (${checks.passed} passed)` : `  checks: all ${checks.passed} passed`);

    console.log(`BENCH_RESULT ${JSON.stringify({
      bench: 'bill-reconcile', label: config.label, date: new Date().toISOString(), machine: info, billDate: config.date,
      rows: config.rows, payments: plan.payments, refundRows: plan.refundRows, gzipBytes: gzBytes, fillSeconds,
      wallSeconds: wall, rowsPerSecond: config.rows / wall, status: day.status,
      peakRssMiB: runner.peak / 1024, baselineRssMiB: runner.baseline / 1024, vmHwmMiB: runner.hwmAfter / 1024,
      workerCpuSeconds: runner.ticks / 100, cpuSeconds: cpu.cpu, machineBusyCores: cpu.machineBusyCores, otherCores: cpu.otherCores,
      dbTopStatements: sqlTime.seconds.slice(0, 5), discrepancies: day.discrepancyCount, checksFailed: checks.failures,
    })}`);
  } finally {
    await cleanup();
  }
  if (checks.failures.length) process.exitCode = 1;
}

main().catch(err => {
  console.error(`bill-reconcile bench failed: ${err.stack || err.message}`);
  process.exit(2);
});
