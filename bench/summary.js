#!/usr/bin/env node
'use strict';

/**
 * Turns the `BENCH_RESULT {json}` lines of a results file (bench/run.sh
 * writes one) into a Markdown table.
 *
 *   node bench/summary.js results.txt
 */

const fs = require('node:fs');

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/summary.js <results file>');
  process.exit(2);
}

const results = fs.readFileSync(file, 'utf8').split('\n')
  .filter(line => line.startsWith('BENCH_RESULT '))
  .map(line => JSON.parse(line.slice('BENCH_RESULT '.length)));

const n = v => (Number.isFinite(v) ? v.toFixed(1) : '-');
const cpu = c => (c ? Object.entries(c).map(([ k, v ]) => `${k} ${v.toFixed(2)}`).join(', ') : '');

const rows = [];
for (const r of results) {
  if (r.bench === 'notify-v2' || r.bench === 'notify-v3') {
    for (const [ name, s ] of [ [ 'distinct orders', r.distinct ], [ `duplicate storm (${r.stormOrders} order)`, r.storm ] ]) {
      if (!s) continue;
      rows.push([ r.label, `notify ${r.bench.slice(-2)}: ${name}`, r.targets === "recent" ? `${r.orders} (newest)` : r.orders, Math.round(s.rps), n(s.p50), n(s.p97_5), n(s.p99),
        `${s.errors}/${s.non2xx}/${s.notAcked}`, cpu(s.cpuMsPerRequest), n(s.otherCores), r.checksFailed.length ? 'FAILED' : 'ok' ]);
    }
  } else if (r.bench === 'refund-notify-v2' || r.bench === 'refund-notify-v3') {
    const storm = `duplicate storm (${r.stormOrders} refund${r.stormOrders > 1 ? 's' : ''})`;
    for (const [ name, s ] of [ [ 'distinct refunds', r.distinct ], [ storm, r.storm ] ]) {
      if (!s) continue;
      rows.push([ r.label, `refund notify ${r.bench.slice(-2)}: ${name}`, r.targets === 'recent' ? `${r.orders} (newest)` : r.orders,
        Math.round(s.rps), n(s.p50), n(s.p97_5), n(s.p99), `${s.errors}/${s.non2xx}/${s.notAcked}`, cpu(s.cpuMsPerRequest),
        n(s.otherCores), r.checksFailed.length ? 'FAILED' : 'ok' ]);
    }
  } else if (r.bench === 'orders-with-pay') {
    rows.push([ r.label, 'orders-with-pay (pair)', '-', Math.round(r.rps), n(r.pair.p50), n(r.pair.p97_5), n(r.pair.p99),
      `${r.errors}/${r.non2xx}/${r.createFailed + r.payFailed}`, cpu(r.cpuMsPerPair), n(r.otherCores), r.checksFailed.length ? 'FAILED' : 'ok' ]);
  }
}

const first = results[0];
if (first) {
  console.log(`${first.date.slice(0, 10)} · ${first.machine.cores} cores (${first.machine.cpuModel}) · ${first.machine.memoryGiB} GiB · ` +
    `Node ${first.machine.node} · ${first.machine.platform}${first.connections ? ` · ${first.connections} connections` : ''}\n`);
}
console.log('| run | scenario | orders in table | req/s | p50 ms | p97.5 ms | p99 ms | errors/non-2xx/not-acked | CPU ms per request | other load (cores) | checks |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);

// Bill reconciliation runs (bench/bill-reconcile.js): one line per bill size, in their own table (no req/s here).
const bills = results.filter(r => r.bench === 'bill-reconcile');
if (bills.length) {
  console.log('\n| run | bill rows | wall s | rows/s | peak worker RSS MiB (before) | worker CPU s | db CPU s | day | discrepancies | checks |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |');
  for (const r of bills) {
    console.log(`| ${r.label} | ${r.rows} | ${n(r.wallSeconds)} | ${Math.round(r.rowsPerSecond)} | ${Math.round(r.peakRssMiB)} (${Math.round(r.baselineRssMiB)}) | `
      + `${n(r.workerCpuSeconds)} | ${r.cpuSeconds && r.cpuSeconds.db !== undefined ? n(r.cpuSeconds.db) : '-'} | ${r.status} | ${r.discrepancies} | `
      + `${r.checksFailed.length ? 'FAILED' : 'ok'} |`);
  }
}
