#!/usr/bin/env node
'use strict';

/**
 * The figures of a bench/compare.sh run: every run's distinct and storm
 * throughput and app CPU per request, then per API version each build's mean
 * and B against A paired by round (B's figure over A's in the same round, so
 * a round that was slow for both does not count as a difference).
 *
 *   node bench/compare-summary.js results.txt
 */

const fs = require('node:fs');

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/compare-summary.js <results file>');
  process.exit(2);
}

// label: "<A|B> <v2|v3> round <n>" (bench/compare.sh)
const runs = fs.readFileSync(file, 'utf8').split('\n')
  .filter(line => line.startsWith('BENCH_RESULT '))
  .map(line => JSON.parse(line.slice('BENCH_RESULT '.length)))
  .map(r => {
    const [ which, mode, , round ] = r.label.split(' ');
    return {
      which, mode, round: Number(round), failed: r.checksFailed.length > 0,
      distinct: r.distinct.rps, storm: r.storm ? r.storm.rps : NaN, cpu: r.distinct.cpuMsPerRequest.app,
    };
  });

const mean = values => values.reduce((a, b) => a + b, 0) / values.length;
const pct = ratio => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)} %`;
const FIGURES = [[ 'distinct', 'distinct orders, req/s', 0 ], [ 'storm', 'duplicate storm, req/s', 0 ], [ 'cpu', 'app CPU ms per distinct notify', 3 ]];

console.log('| mode | round | build | distinct req/s | storm req/s | app CPU ms/req | checks |');
console.log('| --- | ---: | --- | ---: | ---: | ---: | --- |');
for (const r of runs) {
  console.log(`| ${r.mode} | ${r.round} | ${r.which} | ${r.distinct.toFixed(0)} | ${r.storm.toFixed(0)} | ${r.cpu.toFixed(3)} | ${r.failed ? 'FAILED' : 'ok'} |`);
}

for (const mode of [ ...new Set(runs.map(r => r.mode)) ]) {
  const of = which => runs.filter(r => r.mode === mode && r.which === which);
  const rounds = of('A').map(a => [ a, of('B').find(b => b.round === a.round) ]).filter(([ , b ]) => b);
  console.log(`\n${mode}: ${rounds.length} paired rounds`);
  console.log('| figure | A mean | B mean | B/A per round | B/A mean |');
  console.log('| --- | ---: | ---: | --- | ---: |');
  for (const [ key, name, digits ] of FIGURES) {
    const ratios = rounds.map(([ a, b ]) => b[key] / a[key]);
    console.log(`| ${name} | ${mean(of('A').map(r => r[key])).toFixed(digits)} | ${mean(of('B').map(r => r[key])).toFixed(digits)} | ${ratios.map(pct).join(', ')} | ${pct(mean(ratios))} |`);
  }
}
if (runs.some(r => r.failed)) {
  console.log('\nSOME CHECKS FAILED: see the runs above');
  process.exitCode = 1;
}
