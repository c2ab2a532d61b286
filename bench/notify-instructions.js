#!/usr/bin/env node
'use strict';

/**
 * Instructions per v2 notify (POST /api/pay/notify), counted by valgrind's
 * callgrind in the one process of bench/single-process.js; run by
 * bench/instructions.sh, which starts that process under valgrind. A count of
 * instructions does not depend on what else the machine is doing, so two
 * builds can be told apart by a few per cent where notifies per second, on a
 * shared machine, vary by twenty.
 *
 *   1. fresh state: one user and WARM + MEASURED PENDING orders (notify-v2.js);
 *   2. instrumentation on, WARM distinct notifies (the JIT warms up), counters zeroed;
 *   3. MEASURED distinct notifies, CONNECTIONS at a time; the counters dumped;
 *   4. checks: every reply SUCCESS, every order PAID with one PAID event.
 *
 * Environment (besides notify-v2.js's BASE_URL, DATABASE_URL, WECHAT_APPID, WECHATPAY_MCHID,
 * WECHATPAY_API_KEY): BENCH_CALLGRIND_PID (the valgrind'd process), BENCH_CALLGRIND_OUT (its
 * --callgrind-out-file), BENCH_WARM_NOTIFIES (1000), BENCH_MEASURED_NOTIFIES (2000),
 * BENCH_CONNECTIONS (8), BENCH_LABEL. Prints the figures and a `BENCH_INSTRUCTIONS {json}` line.
 */

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const mysql = require('mysql2/promise');
const { config, freshState, v2Protocol } = require('./notify-v2');
const { intOption, required, mysqlOptions, assertBenchDatabase, assertReachable } = require('./common');

const warmCount = intOption('warm', 'BENCH_WARM_NOTIFIES', 1000, { min: 0, max: 100000 });
const measuredCount = intOption('measured', 'BENCH_MEASURED_NOTIFIES', 2000, { min: 100, max: 100000 });
const pid = required('BENCH_CALLGRIND_PID');
const outFile = required('BENCH_CALLGRIND_OUT');

function callgrind(...args) {
  execFileSync('callgrind_control', [ ...args, pid ], { stdio: [ 'ignore', 'ignore', 'inherit' ] });
}

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

/** The `totals:` line of the newest dump of the process. */
function dumpedInstructions() {
  const dir = path.dirname(outFile);
  const base = path.basename(outFile);
  const dumps = fs.readdirSync(dir).filter(name => name.startsWith(base))
    .map(name => path.join(dir, name)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (!dumps.length) throw new Error(`no callgrind dump at ${outFile}*`);
  const totals = fs.readFileSync(dumps[0], 'utf8').match(/^(?:totals|summary): (\d+)/m);
  if (!totals) throw new Error(`no totals in ${dumps[0]}`);
  return Number(totals[1]);
}

async function main() {
  const dbOptions = mysqlOptions(config.databaseUrl);
  assertBenchDatabase(dbOptions);
  const db = await mysql.createConnection(dbOptions);
  try {
    await assertReachable(`${config.baseUrl}/healthz`);
    const total = warmCount + measuredCount;
    // No wait for InnoDB's flushing: the database's work is not what is counted.
    const { tag } = await freshState(db, Math.max(1000, total), { settleFill: false });
    v2Protocol.prepare();
    const bodies = Array.from({ length: total }, (_, index) => v2Protocol.build(tag, index).body);

    callgrind('--instr=on');
    const warmRefused = await send(bodies.slice(0, warmCount));
    callgrind('--zero');
    const started = Date.now();
    const refused = await send(bodies.slice(warmCount));
    const seconds = (Date.now() - started) / 1000;
    callgrind('--dump=measured');
    const instructions = dumpedInstructions();

    const failures = [];
    if (warmRefused + refused) failures.push(`${warmRefused + refused} notifies not answered SUCCESS`);
    // freshState left only this run's orders, and nothing else pays them
    const [[ { paid } ] ] = await db.query("SELECT COUNT(*) AS paid FROM orders WHERE status = 'PAID'");
    const [[ { events } ] ] = await db.query("SELECT COUNT(*) AS events FROM payment_events WHERE outcome = 'PAID' AND verified = 1");
    if (Number(paid) !== total) failures.push(`${paid} orders PAID, ${total} notified`);
    if (Number(events) !== total) failures.push(`${events} PAID events, ${total} notifies`);

    const perNotify = instructions / measuredCount;
    console.log(`  ${config.label || 'notify-v2'}: ${(perNotify / 1e6).toFixed(3)} M instructions per notify ` +
      `(${measuredCount} measured after ${warmCount} warm-up, ${config.connections} connections, ${seconds.toFixed(0)} s under callgrind)` +
      (failures.length ? `  CHECKS FAILED: ${failures.join('; ')}` : ''));
    console.log(`BENCH_INSTRUCTIONS ${JSON.stringify({ label: config.label, perNotify, instructions, measured: measuredCount,
      warm: warmCount, connections: config.connections, checksFailed: failures })}`);
    if (failures.length) process.exitCode = 1;
  } finally {
    await db.end();
  }
}

main().catch(err => {
  console.error(`notify-instructions failed: ${err.stack || err.message}`);
  process.exit(2);
});
