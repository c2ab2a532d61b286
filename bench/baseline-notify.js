#!/usr/bin/env node
'use strict';

/**
 * The floor to compare the service with: a bare node:http + mysql2 server for
 * POST /api/pay/notify doing the same checks as the service (safe XML parse
 * with xml-js, v2 signature in constant time, return_code, appid, mch_id,
 * out_trade_no, result_code, total_fee, transaction_id) and the same kind of
 * SQL, on the same schema, in a cluster of BASELINE_WORKERS processes.
 * No framework, no ORM, no logging. It is a measuring stick, not a server to run.
 *
 *   DATABASE_URL=mysql://root@127.0.0.1:3306/wxbench WECHAT_APPID=… WECHATPAY_MCHID=… \
 *   WECHATPAY_API_KEY=… BASELINE_PORT=7403 node bench/baseline-notify.js
 *
 * BASELINE_SQL=lookup (default): SELECT the order, then one transaction
 *   {UPDATE … WHERE order_no=? AND status='PENDING' AND amount=?; INSERT event}
 *   (5 statements: SELECT, BEGIN, UPDATE, INSERT, COMMIT).
 * BASELINE_SQL=cas: what the service does: the transaction first, the SELECT
 *   only when it changed nothing (4 statements for a first notify).
 * BASELINE_POOL_MAX (10): mysql2 pool size per worker.
 */

const cluster = require('node:cluster');
const http = require('node:http');
const crypto = require('node:crypto');
const { xml2js } = require('xml-js');
const mysql = require('mysql2');
const { mysqlOptions, required } = require('./common');

const WORKERS = Number(process.env.BASELINE_WORKERS || 2);
const PORT = Number(process.env.BASELINE_PORT || 7403);
const MODE = process.env.BASELINE_SQL || 'lookup';
const POOL_MAX = Number(process.env.BASELINE_POOL_MAX || 10);
const BODY_LIMIT = 1024 * 1024;

if (cluster.isPrimary) {
  for (let i = 0; i < WORKERS; i++) cluster.fork();
  let ready = 0;
  cluster.on('listening', () => {
    if (++ready === WORKERS) console.log(`baseline notify server on 127.0.0.1:${PORT}, ${WORKERS} workers, sql=${MODE}, pool ${POOL_MAX}`);
  });
  cluster.on('exit', (worker, code) => {
    if (code !== 0) console.error(`baseline worker ${worker.process.pid} exited ${code}`);
  });
  const stop = () => {
    for (const worker of Object.values(cluster.workers)) worker.kill();
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} else {
  serve();
}

function serve() {
  const appId = required('WECHAT_APPID');
  const mchId = required('WECHATPAY_MCHID');
  const apiKey = required('WECHATPAY_API_KEY');
  const pool = mysql.createPool({ ...mysqlOptions(required('DATABASE_URL')), connectionLimit: POOL_MAX }).promise();

  const reply = ok => `<xml><return_code><![CDATA[${ok ? 'SUCCESS' : 'FAIL'}]]></return_code><return_msg><![CDATA[${ok ? 'OK' : 'rejected'}]]></return_msg></xml>`;

  function parse(text) {
    if (/<!(?:DOCTYPE|ENTITY)/i.test(text)) return null;
    let doc;
    try {
      doc = xml2js(text, { compact: false, captureSpacesBetweenElements: true, ignoreAttributes: true, ignoreComment: true });
    } catch {
      return null;
    }
    const root = (doc.elements || []).find(e => e.type === 'element');
    if (!root || root.name !== 'xml') return null;
    const fields = Object.create(null);
    for (const node of root.elements || []) {
      if (node.type !== 'element') continue;
      if (fields[node.name] !== undefined) return null;
      let value = '';
      for (const child of node.elements || []) {
        if (child.type === 'text') value += child.text;
        else if (child.type === 'cdata') value += child.cdata;
        else return null;
      }
      fields[node.name] = value;
    }
    return fields;
  }

  function verify(fields) {
    if (typeof fields.sign !== 'string' || (fields.sign_type !== undefined && fields.sign_type !== 'MD5')) return false;
    const pairs = [];
    for (const name of Object.keys(fields).sort()) {
      if (name === 'sign' || fields[name] === '') continue;
      pairs.push(`${name}=${fields[name]}`);
    }
    pairs.push(`key=${apiKey}`);
    const expected = Buffer.from(crypto.createHash('md5').update(pairs.join('&'), 'utf8').digest('hex').toUpperCase());
    const actual = Buffer.from(fields.sign.toUpperCase());
    return actual.length === expected.length && crypto.timingSafeEqual(actual, expected);
  }

  const INSERT_EVENT = 'INSERT INTO payment_events (order_no, source, api_version, verified, outcome, reason, transaction_id, amount, raw_body, created_at) VALUES (?, \'notify\', \'v2\', ?, ?, ?, ?, ?, ?, ?)';
  const UPDATE_PAID = 'UPDATE orders SET status = \'PAID\', transaction_id = ?, paid_at = ?, updated_at = ? WHERE order_no = ? AND status = \'PENDING\' AND amount = ?';
  const SELECT_ORDER = 'SELECT status, amount, transaction_id FROM orders WHERE order_no = ?';

  const event = (executor, f, verified, outcome, raw) => executor.execute(INSERT_EVENT, [
    f && f.out_trade_no ? f.out_trade_no.slice(0, 64) : null, verified ? 1 : 0, outcome, null,
    f && f.transaction_id ? f.transaction_id.slice(0, 64) : null, f && f.total_fee ? Number(f.total_fee) : null,
    raw.slice(0, 2048), new Date(),
  ]);

  /** PENDING → PAID in one transaction with its event; false when nothing changed. */
  async function settle(f, amount, raw) {
    const conn = await pool.getConnection();
    try {
      await conn.query('BEGIN');
      const now = new Date();
      const [ result ] = await conn.execute(UPDATE_PAID, [ f.transaction_id, now, now, f.out_trade_no, amount ]);
      if (result.affectedRows === 1) await event(conn, f, true, 'PAID', raw);
      await conn.query('COMMIT');
      return result.affectedRows === 1;
    } catch (err) {
      await conn.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      conn.release();
    }
  }

  async function outcomeOf(f, amount) {
    const [ rows ] = await pool.execute(SELECT_ORDER, [ f.out_trade_no ]);
    if (!rows.length) return 'UNKNOWN_ORDER';
    if (rows[0].amount !== amount) return 'AMOUNT_MISMATCH';
    if (rows[0].status === 'PAID' || rows[0].status === 'REFUNDED') {
      return rows[0].transaction_id === f.transaction_id ? 'DUPLICATE' : 'PAID_BY_OTHER_TRANSACTION';
    }
    return rows[0].status === 'CLOSED' ? 'PAID_AFTER_CLOSE' : 'PENDING';
  }

  async function handleNotify(raw) {
    const f = parse(raw);
    if (!f) return event(pool, null, false, 'XML_INVALID', raw).then(() => false);
    if (!verify(f) || f.return_code !== 'SUCCESS' || f.appid !== appId || f.mch_id !== mchId || !f.out_trade_no) {
      return event(pool, f, false, 'REJECTED', raw).then(() => false);
    }
    if (f.result_code !== 'SUCCESS') return event(pool, f, true, 'PAYMENT_FAILED', raw).then(() => true);
    if (!/^[1-9]\d{0,9}$/.test(f.total_fee || '') || !f.transaction_id) return event(pool, f, false, 'FIELDS_INVALID', raw).then(() => false);
    const amount = Number(f.total_fee);

    if (MODE === 'lookup') {
      const outcome = await outcomeOf(f, amount);
      if (outcome === 'PENDING' && await settle(f, amount, raw)) return true;
      const final = outcome === 'PENDING' ? await outcomeOf(f, amount) : outcome;
      await event(pool, f, true, final, raw);
      return final === 'DUPLICATE' || final === 'PAID_BY_OTHER_TRANSACTION' || final === 'PAID_AFTER_CLOSE';
    }
    if (await settle(f, amount, raw)) return true;
    const outcome = await outcomeOf(f, amount);
    await event(pool, f, true, outcome, raw);
    return outcome === 'DUPLICATE' || outcome === 'PAID_BY_OTHER_TRANSACTION' || outcome === 'PAID_AFTER_CLOSE';
  }

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      pool.query('SELECT 1').then(() => res.end('{"status":"ok"}'), () => { res.statusCode = 503; res.end(); });
      return;
    }
    if (req.method !== 'POST' || req.url !== '/api/pay/notify') {
      res.statusCode = 404;
      res.end();
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', chunk => {
      size += chunk.length;
      if (size <= BODY_LIMIT) chunks.push(chunk);
    });
    req.on('end', () => {
      const send = (status, ok) => {
        res.writeHead(status, { 'content-type': 'text/xml' });
        res.end(reply(ok));
      };
      if (size > BODY_LIMIT) return send(413, false);
      handleNotify(Buffer.concat(chunks).toString('utf8')).then(ok => send(200, ok), () => send(200, false));
    });
  });
  server.listen(PORT, '127.0.0.1');
}
