#!/usr/bin/env node
'use strict';

/**
 * Load test of the buying path against a running server wired to the
 * standalone sandbox (WECHAT_API_BASE / WECHATPAY_API_BASE pointing at it):
 * one user logs in (code2Session at the sandbox), then each connection loops
 * POST /api/orders (one product line, priced and stock-reserved in SQL) and
 * POST /api/orders/:orderNo/pay (unifiedorder at the sandbox, signed XML both
 * ways, prepay_id stored, wx.requestPayment parameters signed). One
 * "order-with-pay" is that pair. The database is wiped and given a catalogue
 * of BENCH_PRODUCTS products with a stock that cannot run out.
 *
 * Environment (or --flags):
 *   BASE_URL (http://127.0.0.1:7401)  DATABASE_URL (its name must contain "bench")
 *   BENCH_CONNECTIONS / --connections (32)  BENCH_DURATION / --duration (15 s)
 *   BENCH_WARMUP / --warmup (3 s)  BENCH_PRODUCTS / --products (64)  BENCH_LABEL
 * Prints the figures and a `BENCH_RESULT {json}` line; exits 1 if a check fails.
 */

const autocannon = require('autocannon');
const mysql = require('mysql2/promise');
const {
  option, intOption, required, mysqlOptions, assertBenchDatabase, LatencyLog, machine, sleep,
  CpuMeter, describeCpu, assertReachable,
} = require('./common');

const STOCK = 1_000_000_000;

const config = {
  baseUrl: option('base-url', 'BASE_URL', 'http://127.0.0.1:7401').replace(/\/$/, ''),
  databaseUrl: required('DATABASE_URL'),
  connections: intOption('connections', 'BENCH_CONNECTIONS', 32, { min: 1, max: 1024 }),
  duration: intOption('duration', 'BENCH_DURATION', 15, { min: 1, max: 600 }),
  warmup: intOption('warmup', 'BENCH_WARMUP', 3, { min: 0, max: 120 }),
  products: intOption('products', 'BENCH_PRODUCTS', 64, { min: 1, max: 10000 }),
  label: option('label', 'BENCH_LABEL', ''),
};
{
  const host = new URL(config.baseUrl).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') throw new Error('BASE_URL must be a loopback address');
}

async function freshState(db) {
  await db.query('SET FOREIGN_KEY_CHECKS = 0');
  for (const table of [ 'payment_events', 'order_items', 'orders', 'users', 'products' ]) await db.query(`TRUNCATE TABLE ${table}`);
  await db.query('SET FOREIGN_KEY_CHECKS = 1');
  const now = new Date();
  const rows = [];
  for (let i = 1; i <= config.products; i++) rows.push([ `bench product ${i}`, 100 + i, STOCK, now, now ]);
  await db.query('INSERT INTO products (name, price, stock, created_at, updated_at) VALUES ?', [ rows ]);
  const [ ids ] = await db.query('SELECT id FROM products ORDER BY id');
  return ids.map(r => r.id);
}

async function login() {
  const res = await fetch(`${config.baseUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: `benchbuyer.${Date.now()}` }),
    signal: AbortSignal.timeout(10000),
  });
  const body = await res.json();
  if (res.status !== 200 || !body.token) throw new Error(`login failed: ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}

function run(seconds, token, productIds) {
  return new Promise((resolve, reject) => {
    const pair = new LatencyLog();
    const create = new LatencyLog();
    const pay = new LatencyLog();
    const stats = { created: 0, createFailed: 0, paid: 0, payFailed: 0, failures: {} };
    const fail = (what, status, body) => {
      const key = `${what} ${status} ${String(body).slice(0, 80)}`;
      stats.failures[key] = (stats.failures[key] || 0) + 1;
    };
    let next = 0;
    let lastAt = 0n;
    const meter = new CpuMeter();
    meter.start();
    const started = process.hrtime.bigint();
    const now = () => process.hrtime.bigint();
    autocannon({
      url: config.baseUrl,
      connections: config.connections,
      pipelining: 1,
      timeout: 10,
      duration: seconds,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      requests: [
        {
          method: 'POST',
          path: '/api/orders',
          setupRequest(request, context) {
            context.t0 = now();
            const productId = productIds[next++ % productIds.length];
            request.body = JSON.stringify({ items: [{ productId, quantity: 1 }] });
            return request;
          },
          onResponse(status, body, context) {
            create.add(Number(now() - context.t0) / 1e6);
            context.orderNo = null;
            if (status === 201) {
              stats.created++;
              context.orderNo = JSON.parse(body).orderNo;
            } else {
              stats.createFailed++;
              fail('create', status, body);
            }
          },
        },
        {
          method: 'POST',
          setupRequest(request, context) {
            context.t1 = now();
            request.path = `/api/orders/${context.orderNo || 'none'}/pay`;
            request.body = '{}';
            return request;
          },
          onResponse(status, body, context) {
            const at = now();
            pay.add(Number(at - context.t1) / 1e6);
            if (status === 200 && body.includes('"paySign"') && body.includes('prepay_id=')) {
              stats.paid++;
              pair.add(Number(at - context.t0) / 1e6);
              lastAt = at;
            } else {
              stats.payFailed++;
              fail('pay', status, body);
            }
          },
        },
      ],
    }, (err, result) => {
      const cpu = meter.stop();
      if (err) return reject(err);
      const wallSeconds = lastAt ? Number(lastAt - started) / 1e9 : 0;
      resolve({
        ...stats,
        wallSeconds,
        rps: wallSeconds ? stats.paid / wallSeconds : 0,
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        requests: result.requests.sent,
        pair: pair.summary(),
        create: create.summary(),
        pay: pay.summary(),
        cpu,
      });
    });
  });
}

const f = v => (Number.isFinite(v) ? v.toFixed(1) : '-');

function print(name, r) {
  console.log(`  ${name.padEnd(22)} ${String(Math.round(r.rps)).padStart(5)} orders-with-pay/s  ` +
    `pair p50 ${f(r.pair.p50)} ms  p97.5 ${f(r.pair.p97_5)} ms  p99 ${f(r.pair.p99)} ms  max ${f(r.pair.max)} ms  ` +
    `(create p50 ${f(r.create.p50)} / p99 ${f(r.create.p99)} ms, pay p50 ${f(r.pay.p50)} / p99 ${f(r.pay.p99)} ms)  ` +
    `paid=${r.paid} failed: create ${r.createFailed}, pay ${r.payFailed}; errors=${r.errors} timeouts=${r.timeouts}`);
  for (const [ k, n ] of Object.entries(r.failures).slice(0, 5)) console.log(`    ${n} x ${k}`);
}

async function main() {
  const info = machine();
  const dbOptions = mysqlOptions(config.databaseUrl);
  assertBenchDatabase(dbOptions);
  const db = await mysql.createConnection(dbOptions);
  const failures = [];
  const expect = (ok, message) => {
    if (!ok) {
      failures.push(message);
      console.log(`  CHECK FAILED: ${message}`);
    }
  };
  try {
    console.log(`orders-with-pay bench: ${config.baseUrl}  ${config.label}`);
    console.log(`  machine: ${info.cores} cores (${info.cpuModel}), ${info.memoryGiB} GiB, Node ${info.node}`);
    await assertReachable(`${config.baseUrl}/healthz`);
    const productIds = await freshState(db);
    const token = await login();
    let created = 0;
    let paid = 0;
    if (config.warmup > 0) {
      const warm = await run(config.warmup, token, productIds);
      print('warm-up', warm);
      created += warm.created;
      paid += warm.paid;
    }
    const result = await run(config.duration, token, productIds);
    created += result.created;
    paid += result.paid;
    print('orders-with-pay', result);
    console.log(`    ${describeCpu(result.cpu, result.paid)}`);

    await sleep(500);
    const [[ counts ]] = await db.query(
      'SELECT COUNT(*) AS orders, SUM(prepay_id IS NOT NULL) AS prepaid, SUM(status = \'PENDING\') AS pending FROM orders');
    const [[ items ]] = await db.query('SELECT COALESCE(SUM(quantity), 0) AS quantity, COUNT(*) AS n FROM order_items');
    const [[ stock ]] = await db.query('SELECT ? * COUNT(*) - SUM(stock) AS taken FROM products', [ STOCK ]);
    const inFlight = 2 * config.connections * (config.warmup > 0 ? 2 : 1);
    console.log(`  database: ${counts.orders} orders (${counts.prepaid} with a prepay_id), ${items.n} items, stock taken ${stock.taken}`);
    expect(Number(counts.orders) >= created && Number(counts.orders) <= created + inFlight,
      `orders in the table ${counts.orders} vs created ${created}`);
    expect(Number(counts.prepaid) >= paid && Number(counts.prepaid) <= paid + inFlight,
      `orders with a prepay_id ${counts.prepaid} vs pay answers ${paid}`);
    expect(Number(items.n) === Number(counts.orders) && Number(stock.taken) === Number(items.quantity),
      'items and stock do not match the orders');
    expect(Number(counts.pending) === Number(counts.orders), 'an order left PENDING');
    expect(result.createFailed === 0 && result.payFailed === 0 && result.errors === 0, 'failed requests in the measured run');
    console.log(failures.length ? `  CHECKS: ${failures.length} FAILED` : '  checks: all passed');

    const cpuPerPair = Object.fromEntries(Object.entries(result.cpu.cpu).map(([ k, v ]) => [ k, v * 1000 / Math.max(1, result.paid) ]));
    console.log(`BENCH_RESULT ${JSON.stringify({
      bench: 'orders-with-pay', label: config.label, date: new Date().toISOString(), machine: info,
      connections: config.connections, duration: config.duration, products: config.products,
      rps: result.rps, pair: result.pair, create: result.create, pay: result.pay,
      paid: result.paid, createFailed: result.createFailed, payFailed: result.payFailed,
      errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx,
      cpuMsPerPair: cpuPerPair, machineBusyCores: result.cpu.machineBusyCores, otherCores: result.cpu.otherCores,
      checksFailed: failures,
    })}`);
  } finally {
    await db.end();
  }
  if (failures.length) process.exitCode = 1;
}

main().catch(err => {
  console.error(`orders-with-pay bench failed: ${err.stack || err.message}`);
  process.exit(2);
});
