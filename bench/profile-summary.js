#!/usr/bin/env node
'use strict';

/**
 * Summarises V8 .cpuprofile files (node --cpu-prof): self time by function and
 * by package (node_modules/<name>, the app's own files, node internals, GC,
 * idle), and inclusive time of the functions named with --focus.
 *
 *   node bench/profile-summary.js [--top=25] [--focus=settlePaid,verifyV2Notify] [--bucket=sequelize] file.cpuprofile...
 */

const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
const files = args.filter(a => !a.startsWith('--'));
const top = Number((args.find(a => a.startsWith('--top=')) || '--top=25').slice(6));
const focus = ((args.find(a => a.startsWith('--focus=')) || '--focus=').slice(8)).split(',').filter(Boolean);
const only = (args.find(a => a.startsWith('--bucket=')) || '').slice(9);
if (!files.length) {
  console.error('usage: node bench/profile-summary.js [--top=N] [--focus=fn1,fn2] file.cpuprofile...');
  process.exit(2);
}

function bucketOf(frame) {
  const url = frame.url || '';
  if (!url) {
    if (frame.functionName === '(idle)') return '(idle)';
    if (frame.functionName === '(garbage collector)') return '(gc)';
    if (frame.functionName === '(program)') return '(program)';
    return '(native)';
  }
  if (url.startsWith('node:')) return 'node:internal';
  const i = url.lastIndexOf('node_modules/');
  if (i >= 0) {
    const rest = url.slice(i + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const m = /\/(app|config|sandbox|bench|database)\//.exec(url);
  return m ? `(project ${m[1]}/)` : path.basename(url);
}

const selfByFn = new Map();
const selfByBucket = new Map();
const inclusive = new Map(focus.map(f => [ f, 0 ]));
let total = 0;

for (const file of files) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map(n => [ n.id, n ]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  // time per node from samples and timeDeltas (microseconds)
  const timeOf = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const dt = profile.timeDeltas[i + 1] !== undefined ? profile.timeDeltas[i + 1] : 0;
    timeOf.set(id, (timeOf.get(id) || 0) + Math.max(0, dt));
  }
  for (const [ id, t ] of timeOf) {
    const n = nodes.get(id);
    const f = n.callFrame;
    total += t;
    const key = `${f.functionName || '(anonymous)'}  ${f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : ''} [${bucketOf(f)}]`;
    selfByFn.set(key, (selfByFn.get(key) || 0) + t);
    const b = bucketOf(f);
    selfByBucket.set(b, (selfByBucket.get(b) || 0) + t);
    if (focus.length) {
      // inclusive: count the sample once per focused function on its stack
      const seen = new Set();
      let cur = id;
      while (cur !== undefined) {
        const name = nodes.get(cur).callFrame.functionName;
        if (inclusive.has(name) && !seen.has(name)) {
          seen.add(name);
          inclusive.set(name, inclusive.get(name) + t);
        }
        cur = parent.get(cur);
      }
    }
  }
}

const busy = total - (selfByBucket.get('(idle)') || 0);
const pct = t => `${(100 * t / busy).toFixed(1).padStart(5)}%`;
console.log(`profiles: ${files.length}, sampled ${(total / 1e6).toFixed(2)} s, busy (not idle) ${(busy / 1e6).toFixed(2)} s; % of busy time`);
console.log('\nself time by package:');
for (const [ b, t ] of [ ...selfByBucket ].sort((a, c) => c[1] - a[1]).slice(0, top)) {
  if (b !== '(idle)') console.log(`  ${pct(t)}  ${b}`);
}
console.log(`\nself time by function${only ? ` in ${only}` : ''}:`);
for (const [ k, t ] of [ ...selfByFn ].filter(([ k ]) => !only || k.endsWith(`[${only}]`)).sort((a, c) => c[1] - a[1]).slice(0, top)) {
  if (!k.startsWith('(idle)')) console.log(`  ${pct(t)}  ${k}`);
}
if (focus.length) {
  console.log('\ninclusive time:');
  for (const [ f, t ] of inclusive) console.log(`  ${pct(t)}  ${f}`);
}
