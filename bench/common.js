'use strict';

/**
 * Small helpers shared by the benchmarks: option parsing, a MySQL connection
 * from DATABASE_URL, v2 signing (re-implemented on node:crypto so the bench
 * needs no build), latency statistics and result printing.
 */

const os = require('node:os');
const crypto = require('node:crypto');
const fs = require('node:fs');

/** `--name=value` on the command line, else the environment variable, else the default. */
function option(name, envName, fallback) {
  const flag = process.argv.find(arg => arg.startsWith(`--${name}=`));
  if (flag) return flag.slice(name.length + 3);
  const value = process.env[envName];
  return value === undefined || value === '' ? fallback : value;
}

function intOption(name, envName, fallback, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  const raw = option(name, envName, String(fallback));
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`--${name} / ${envName} must be an integer in [${min}, ${max}], got ${raw}`);
  }
  return value;
}

function required(envName) {
  const value = process.env[envName];
  if (!value) throw new Error(`${envName} is required`);
  return value;
}

/** mysql2 connection options from mysql://user:pass@host:port/db. */
function mysqlOptions(databaseUrl) {
  const url = new URL(databaseUrl);
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    throw new Error('DATABASE_URL must be mysql://user:pass@host:port/db');
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database,
    timezone: 'Z',
    charset: 'utf8mb4',
  };
}

/**
 * The benchmarks wipe tables: refuse a database whose name does not say it is
 * one for benchmarks unless told otherwise.
 */
function assertBenchDatabase(options) {
  if (!/bench/i.test(options.database) && process.env.BENCH_ALLOW_ANY_DATABASE !== '1') {
    throw new Error(`refusing to wipe database "${options.database}": its name must contain "bench" ` +
      '(or set BENCH_ALLOW_ANY_DATABASE=1)');
  }
}

// ---- WeChat Pay v2 signing (same algorithm as app/lib/wxpay/v2-sign.ts) ----

function v2SignString(fields, key) {
  const pairs = [];
  for (const name of Object.keys(fields).sort()) {
    const value = fields[name];
    if (name === 'sign' || value === undefined || value === null || value === '') continue;
    pairs.push(`${name}=${value}`);
  }
  pairs.push(`key=${key}`);
  return pairs.join('&');
}

function signV2(fields, key, signType) {
  const text = v2SignString(fields, key);
  const digest = signType === 'HMAC-SHA256'
    ? crypto.createHmac('sha256', key).update(text, 'utf8').digest('hex')
    : crypto.createHash('md5').update(text, 'utf8').digest('hex');
  return digest.toUpperCase();
}

/** A flat `<xml>` document, every value in CDATA (values here never contain `]]>`). */
function toXml(fields) {
  let xml = '<xml>';
  for (const [ name, value ] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    xml += `<${name}><![CDATA[${value}]]></${name}>`;
  }
  return `${xml}</xml>`;
}

// ---- WeChat Pay API v3 notifies, WeChat Pay's side (the app checks them with app/lib/wxpay/v3-*.ts) ----

// The app accepts Wechatpay-Timestamp within ±300 s; pre-signed notifies older than this are not sent.
const V3_MAX_SIGNATURE_AGE_MS = 240_000;

function pemText(value) {
  return value.includes('-----BEGIN') ? value : fs.readFileSync(value, 'utf8');
}

const v3Nonce = length => crypto.randomBytes(length).toString('base64url').slice(0, length);

/**
 * Builds v3 notifies as WeChat Pay sends them: the resource sealed with
 * AES-256-GCM (APIv3 key, a 12-character nonce, AAD = the original type, as
 * WeChat does), ciphertext || tag in base64; the headers signed SHA256withRSA
 * over "timestamp\nnonce\nbody\n" with WeChat Pay's private key (the app holds
 * the public one). Keys from the environment:
 *   WECHATPAY_APIV3_KEY (32 characters), BENCH_WECHATPAY_PRIVATE_KEY (PEM text or a file path),
 *   WECHATPAY_PUBLIC_KEY_ID (sent in Wechatpay-Serial).
 * Notifies are signed when built (~1 ms each at RSA-2048), so a run must start
 * soon after: assertFresh() refuses bodies that would leave the server's window.
 */
class V3Notifier {
  constructor() {
    this.apiV3Key = Buffer.from(required('WECHATPAY_APIV3_KEY'), 'utf8');
    if (this.apiV3Key.length !== 32) throw new Error('WECHATPAY_APIV3_KEY must be 32 bytes');
    this.privateKey = crypto.createPrivateKey(pemText(required('BENCH_WECHATPAY_PRIVATE_KEY')));
    this.serial = required('WECHATPAY_PUBLIC_KEY_ID');
    this.signedAt = 0;
  }

  encrypt(plaintext, originalType) {
    const iv = v3Nonce(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.apiV3Key, Buffer.from(iv, 'utf8'));
    cipher.setAAD(Buffer.from(originalType, 'utf8'));
    const sealed = Buffer.concat([ cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag() ]);
    return { original_type: originalType, algorithm: 'AEAD_AES_256_GCM', ciphertext: sealed.toString('base64'),
      associated_data: originalType, nonce: iv };
  }

  /** A signed notify ({ body, headers }) of `eventType` carrying `resource` (an object, sent as JSON). */
  notify({ eventType, summary, originalType, resource, createTime }) {
    const body = JSON.stringify({
      id: crypto.randomUUID(),
      create_time: createTime,
      resource_type: 'encrypt-resource',
      event_type: eventType,
      summary,
      resource: this.encrypt(JSON.stringify(resource), originalType),
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = v3Nonce(32);
    const signature = crypto.sign('sha256', Buffer.from(`${timestamp}\n${nonce}\n${body}\n`, 'utf8'), this.privateKey)
      .toString('base64');
    if (!this.signedAt) this.signedAt = Date.now();
    return {
      body: Buffer.from(body),
      headers: {
        'wechatpay-timestamp': timestamp,
        'wechatpay-nonce': nonce,
        'wechatpay-serial': this.serial,
        'wechatpay-signature': signature,
      },
    };
  }

  assertFresh() {
    if (this.signedAt && Date.now() - this.signedAt > V3_MAX_SIGNATURE_AGE_MS) {
      throw new Error('the pre-signed notifies are about to leave the ±300 s window: shorten the run');
    }
  }
}

// ---- statistics ----

/** Latencies in milliseconds (floats), kept exactly; bounded so a runaway run cannot eat memory. */
class LatencyLog {
  constructor(capacity = 4_000_000) {
    this.values = new Float64Array(1024);
    this.length = 0;
    this.capacity = capacity;
    this.dropped = 0;
  }

  add(ms) {
    if (this.length === this.values.length) {
      if (this.length >= this.capacity) {
        this.dropped++;
        return;
      }
      const bigger = new Float64Array(Math.min(this.values.length * 2, this.capacity));
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = ms;
  }

  merge(other) {
    for (let i = 0; i < other.length; i++) this.add(other.values[i]);
  }

  summary() {
    const sorted = this.values.slice(0, this.length).sort();
    const at = q => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN);
    let sum = 0;
    for (const v of sorted) sum += v;
    return {
      count: sorted.length,
      mean: sorted.length ? sum / sorted.length : NaN,
      p50: at(0.5),
      p90: at(0.9),
      p97_5: at(0.975),
      p99: at(0.99),
      p99_9: at(0.999),
      max: sorted.length ? sorted[sorted.length - 1] : NaN,
    };
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0] ? cpus[0].model.trim() : 'unknown',
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

const ms = value => (Number.isFinite(value) ? value.toFixed(1) : '-');

/** One line per scenario, same columns everywhere. */
function printScenario(name, s) {
  const l = s.latency;
  console.log(`  ${name.padEnd(28)} ${String(Math.round(s.rps)).padStart(6)} req/s  ` +
    `p50 ${ms(l.p50).padStart(6)} ms  p97.5 ${ms(l.p97_5).padStart(6)} ms  p99 ${ms(l.p99).padStart(6)} ms  ` +
    `max ${ms(l.max).padStart(7)} ms  n=${l.count}  errors=${s.errors} timeouts=${s.timeouts} non2xx=${s.non2xx}` +
    (s.notAcked !== undefined ? ` notSUCCESS=${s.notAcked}` : ''));
}

// ---- CPU accounting (Linux /proc): who burnt the cycles during a run ----

const TICKS = 100; // USER_HZ on Linux

function pidList(value) {
  return String(value || '').split(/[\s,]+/).filter(Boolean).map(Number).filter(Number.isInteger);
}

function processTicks(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0; // gone, or not Linux
  }
}

function machineTicks() {
  try {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = cpu[3] + (cpu[4] || 0);
    const total = cpu.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/**
 * CPU seconds used by groups of processes (BENCH_APP_PIDS, BENCH_DB_PIDS,
 * BENCH_AUX_PIDS: comma-separated), by this process, and by the whole machine,
 * between start() and stop(); "other" is what the rest of the machine used.
 */
class CpuMeter {
  constructor(env = process.env) {
    this.groups = { app: pidList(env.BENCH_APP_PIDS), db: pidList(env.BENCH_DB_PIDS), aux: pidList(env.BENCH_AUX_PIDS) };
  }

  snapshot() {
    const groups = {};
    for (const [ name, pids ] of Object.entries(this.groups)) groups[name] = pids.reduce((n, pid) => n + processTicks(pid), 0);
    const own = process.cpuUsage();
    return { groups, own: (own.user + own.system) / 1e6, machine: machineTicks(), at: process.hrtime.bigint() };
  }

  start() {
    this.begin = this.snapshot();
  }

  /** Seconds of CPU per group over the run, and the machine's busy cores. */
  stop() {
    const end = this.snapshot();
    const wall = Number(end.at - this.begin.at) / 1e9;
    const cpu = {};
    for (const name of Object.keys(this.groups)) {
      if (this.groups[name].length) cpu[name] = (end.groups[name] - this.begin.groups[name]) / TICKS;
    }
    cpu.bench = end.own - this.begin.own;
    const totalTicks = end.machine.total - this.begin.machine.total;
    const busyTicks = end.machine.busy - this.begin.machine.busy;
    const machineBusy = totalTicks > 0 ? busyTicks / TICKS : 0; // busy core-seconds, all cores
    const known = Object.values(cpu).reduce((a, b) => a + b, 0);
    return { wall, cpu, machineBusyCores: wall > 0 ? machineBusy / wall : 0, otherCores: wall > 0 ? Math.max(0, machineBusy - known) / wall : 0 };
  }
}

/** Adds up the usage of several runs. */
function addCpu(usages) {
  const sum = { wall: 0, cpu: {}, busy: 0, other: 0 };
  for (const u of usages.filter(Boolean)) {
    sum.wall += u.wall;
    sum.busy += u.machineBusyCores * u.wall;
    sum.other += u.otherCores * u.wall;
    for (const [ k, v ] of Object.entries(u.cpu)) sum.cpu[k] = (sum.cpu[k] || 0) + v;
  }
  return { wall: sum.wall, cpu: sum.cpu, machineBusyCores: sum.wall ? sum.busy / sum.wall : 0, otherCores: sum.wall ? sum.other / sum.wall : 0 };
}

/** "app 0.62 ms/req, db 0.21 ms/req, bench 0.10 ms/req; machine busy 1.97 of 2 cores, others 0.05". */
function describeCpu(usage, requests) {
  if (!usage || !requests) return '';
  const parts = Object.entries(usage.cpu).map(([ name, seconds ]) => `${name} ${(seconds * 1000 / requests).toFixed(3)}`);
  return `cpu ms/req: ${parts.join(', ')}; machine busy ${usage.machineBusyCores.toFixed(2)} of ${os.cpus().length} cores ` +
    `(others ${usage.otherCores.toFixed(2)})`;
}

async function assertReachable(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) }).catch(err => ({ ok: false, status: err.message }));
  if (!res.ok) throw new Error(`${url} does not answer 200 (${res.status})`);
}

function sleep(msDelay) {
  return new Promise(resolve => setTimeout(resolve, msDelay));
}

module.exports = {
  option, intOption, required, mysqlOptions, assertBenchDatabase,
  signV2, toXml, V3Notifier, LatencyLog, machine, printScenario, sleep, CpuMeter, addCpu, describeCpu, assertReachable,
};
