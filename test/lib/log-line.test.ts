import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EggLogger } from 'egg-logger';
import { formatLogLine, LogRecord } from '../../app/lib/log-line';
import { logFormatters } from '../../config/log-format';
import configDefault from '../../config/config.default';

const record: LogRecord = { date: '2026-12-06 10:00:00,000', level: 'INFO', pid: 42, hostname: 'h1', message: '[A.b] orderNo: %s' };
const request = { requestId: 'rid-1', method: 'POST', url: '/api/pay/notify', ip: '10.0.0.1', user: '-', elapsedMs: 3 };

describe('test/lib/log-line.test.ts', () => {
  it('should write text lines in egg\'s layout, the request id in the trace id\'s slot', () => {
    assert.equal(formatLogLine('text', record), '2026-12-06 10:00:00,000 INFO 42 [A.b] orderNo: %s');
    assert.equal(formatLogLine('text', { ...record, request }),
      '2026-12-06 10:00:00,000 INFO 42 [-/10.0.0.1/rid-1/3ms POST /api/pay/notify] [A.b] orderNo: %s');
  });

  it('should write one JSON object per line, a multi-line message included', () => {
    const now = new Date('2026-12-06T02:00:00.000Z');
    const line = formatLogLine('json', { ...record, message: 'Error: boom\n    at x', request }, now);
    assert.equal(line.includes('\n'), false);
    assert.deepEqual(JSON.parse(line), {
      time: '2026-12-06T02:00:00.000Z', level: 'INFO', pid: 42, hostname: 'h1',
      requestId: 'rid-1', method: 'POST', url: '/api/pay/notify', ip: '10.0.0.1', user: '-', elapsedMs: 3,
      message: 'Error: boom\n    at x',
    });
    assert.equal('requestId' in JSON.parse(formatLogLine('json', record, now)), false);
  });

  it('should make an egg logger configured with LOG_FORMAT=json write parseable lines to its file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'log-format-'));
    try {
      const file = path.join(dir, 'app.log');
      const logger = new EggLogger({ file, buffer: false, ...logFormatters('json') } as any);
      const ctx = { requestId: 'rid-2', method: 'GET', url: '/api/orders', ip: '127.0.0.1', starttime: Date.now(), state: { userId: 7 } };
      // a line of a request (as ctx.logger and the AsyncLocalStorage give it), one of none, an error
      logger.log('INFO', [ '[OrderService.list] page: %d', 2 ], { ctx } as any);
      logger.info('[AppBoot] ready');
      logger.error(new Error('boom'));
      // an empty write's callback runs once every earlier write is in the file
      const stream = (logger.get('file') as unknown as { _stream: NodeJS.WritableStream })._stream;
      await new Promise(resolve => stream.write('', resolve));
      logger.close();
      const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean)
        .map(line => JSON.parse(line));
      assert.equal(lines.length, 3);
      assert.equal(lines[0].requestId, 'rid-2');
      assert.equal(lines[0].user, '7');
      assert.equal(lines[0].message, '[OrderService.list] page: 2');
      assert.equal(lines[1].requestId, undefined);
      assert.equal(lines[1].message, '[AppBoot] ready');
      assert.equal(lines[2].level, 'ERROR');
      assert.match(lines[2].message, /boom/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should take the format from LOG_FORMAT (text by default) and refuse another value', () => {
    const appInfo = { env: 'unittest', name: 'wxpay-merchant', baseDir: process.cwd(), root: process.cwd() } as any;
    const saved = process.env.LOG_FORMAT;
    const lineWith = (format: string | undefined) => {
      if (format === undefined) delete process.env.LOG_FORMAT; else process.env.LOG_FORMAT = format;
      const { formatter } = configDefault(appInfo).logger as unknown as { formatter: (meta: object) => string };
      return formatter({ ...record, message: 'hello' });
    };
    try {
      assert.deepEqual(JSON.parse(lineWith('json')).message, 'hello');
      assert.equal(lineWith(undefined), '2026-12-06 10:00:00,000 INFO 42 hello');
      assert.throws(() => lineWith('xml'), /LOG_FORMAT must be one of text, json/);
    } finally {
      if (saved === undefined) delete process.env.LOG_FORMAT; else process.env.LOG_FORMAT = saved;
    }
  });
});
