#!/usr/bin/env node
'use strict';

/**
 * Bytes V8 allocates and promotes per v2 notify (POST /api/pay/notify), read
 * from the `--trace-gc-nvp` lines of the one process of
 * bench/single-process.js; run by bench/allocation.sh, which starts that
 * process. Allocation does not depend on what else the machine is doing, so
 * two builds can be told apart by a few per cent where notifies per second,
 * on a shared machine, vary by twenty; and what survives the young
 * generation ("promoted") is what makes garbage collection expensive.
 *
 *   1. fresh state: one user and WARM + MEASURED PENDING orders (notify-v2.js);
 *   2. WARM distinct notifies (the JIT warms up), then the app's log is marked;
 *   3. MEASURED distinct notifies, CONNECTIONS at a time; the log is marked again;
 *   4. the GC lines between the marks are summed: `allocated=` and `promoted=`
 *      bytes, scavenges and mark-compacts;
 *   5. checks: every reply SUCCESS, every order PAID with one PAID event.
 *
 * Environment (besides notify-v2.js's BASE_URL, DATABASE_URL, WECHAT_APPID, WECHATPAY_MCHID,
 * WECHATPAY_API_KEY): BENCH_APP_LOG (the app's stdout, where --trace-gc-nvp writes),
 * BENCH_WARM_NOTIFIES (3000), BENCH_MEASURED_NOTIFIES (10000), BENCH_CONNECTIONS (16), BENCH_LABEL.
 * Prints the figures and a `BENCH_ALLOCATION {json}` line.
 */

const fs = require('node:fs');
const http = require('node:http');
const mysql = require('mysql2/promise');
const { config, freshState, v2Protocol } = require('./notify-v2');
const { intOption, required, mysqlOptions, assertBenchDatabase, assertReachable, sleep } = require('./common');

const warmCount = intOption('warm', 'BENCH_WARM_NOTIFIES', 3000, { min: 0, max: 100000 });
const measuredCount = intOption('measured', 'BENCH_MEASURED_NOTIFIES', 10000, { min: 1000, max: 1000000 });
const appLog = required('BENCH_APP_LOG');

/** Sends the bodies, `connections` at a time over keep-alive connections; resolves to the replies not SUCCESS. */
async function send(bodies) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: config.connections });
  const url = new URL(`${config.baseUrl}${v2Protocol.path}`);
  let next = 0;
  let refused = 0;
  const post = body => new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': v2Protocol.contentType } }, res => {
      const chunks = [];
      res.on('data', chunk => chunks.push(chunk));
      res.on('end', () => resolve(v2Protocol.isAck(res.statusCode, Buffer.concat(chunks).toString())));
    });
    req.on('error', reject);
    req.end(body);
  });
  const lane = async () => {
    while (next < bodies.length) if (!await post(bodies[next++])) refused++;
  };
  await Promise.all(Array.from({ length: config.connections }, lane));
  agent.destroy();
  return refused;
}

/** The app's log from byte `from` on: its GC lines summed. */
function gcSince(from) {
  const text = fs.readFileSync(appLog).subarray(from).toString('utf8');
  const sum = { allocated: 0, promoted: 0, scavenges: 0, markCompacts: 0 };
  for (const line of text.split('\n')) {
    const gc = /\bgc=(\w+)/.exec(line);
    if (!gc) continue;
    if (gc[1] === 's') sum.scavenges++;
    else if (gc[1] === 'mc') sum.markCompacts++;
    sum.allocated += Number((/\ballocated=(\d+)/.exec(line) || [])[1] || 0);
    sum.promoted += Number((/\bpromoted=(\d+)/.exec(line) || [])[1] || 0);
  }
  return sum;
}

async function main() {
  const dbOptions = mysqlOptions(config.databaseUrl);
  assertBenchDatabase(dbOptions);
  const db = await mysql.createConnection(dbOptions);
  try {
    await assertReachable(`${config.baseUrl}/healthz`);
    const total = warmCount + measuredCount;
    // No wait for InnoDB's flushing: the app's heap is what is measured.
    const { tag } = await freshState(db, total, { settleFill: false });
    v2Protocol.prepare();
    const bodies = Array.from({ length: total }, (_, index) => v2Protocol.build(tag, index).body);

    const warmRefused = await send(bodies.slice(0, warmCount));
    const mark = fs.statSync(appLog).size;
    const started = Date.now();
    const refused = await send(bodies.slice(warmCount));
    const seconds = (Date.now() - started) / 1000;
    await sleep(500); // the GC lines of the last requests reach the log
    const gc = gcSince(mark);

    const failures = [];
    if (warmRefused + refused) failures.push(`${warmRefused + refused} notifies not answered SUCCESS`);
    // freshState left only this run's orders, and nothing else pays them
    const [[ { paid } ] ] = await db.query("SELECT COUNT(*) AS paid FROM orders WHERE status = 'PAID'");
    const [[ { events } ] ] = await db.query("SELECT COUNT(*) AS events FROM payment_events WHERE outcome = 'PAID' AND verified = 1");
    if (Number(paid) !== total) failures.push(`${paid} orders PAID, ${total} notified`);
    if (Number(events) !== total) failures.push(`${events} PAID events, ${total} notifies`);
    if (gc.scavenges === 0) failures.push(`no GC line in ${appLog} (is the app running with --trace-gc-nvp?)`);

    const perNotify = { allocatedPerNotify: gc.allocated / measuredCount, promotedPerNotify: gc.promoted / measuredCount };
    console.log(`  ${config.label || 'notify-v2'}: ${(perNotify.allocatedPerNotify / 1024).toFixed(1)} KB allocated, ` +
      `${(perNotify.promotedPerNotify / 1024).toFixed(2)} KB promoted per notify; ${gc.scavenges} scavenges, ${gc.markCompacts} mark-compacts ` +
      `(${measuredCount} notifies after ${warmCount} warm-up, ${config.connections} connections, ${Math.round(measuredCount / seconds)}/s)` +
      (failures.length ? `  CHECKS FAILED: ${failures.join('; ')}` : ''));
    console.log(`BENCH_ALLOCATION ${JSON.stringify({ label: config.label, ...gc, ...perNotify, measured: measuredCount,
      warm: warmCount, connections: config.connections, checksFailed: failures })}`);
    if (failures.length) process.exitCode = 1;
  } finally {
    await db.end();
  }
}

main().catch(err => {
  console.error(`notify-allocation failed: ${err.stack || err.message}`);
  process.exit(2);
});
