import assert from 'node:assert/strict';
import { app, mock } from 'egg-mock/bootstrap';
import { verifyAuthToken } from '../../../app/lib/auth-token';
import { sandboxOf } from '../../../app/middleware/sandbox';
import { sandboxOpenid } from '../../../sandbox/login';

describe('test/app/controller/login.test.ts', () => {
  afterEach(() => mock.restore());

  it('should log a user in through code2Session and answer a token', async () => {
    const res = await app.httpRequest().post('/api/login').send({ code: 'alice.1' })
      .expect(200);
    assert.deepEqual(Object.keys(res.body).sort(), [ 'expiresIn', 'token', 'user' ]);
    assert.equal(res.body.expiresIn, 7200);
    assert.equal(verifyAuthToken(res.body.token, app.config.auth.tokenSecret), res.body.user.id);
    const user = await app.model.User.findByPk(res.body.user.id);
    assert.equal(user!.openid, sandboxOpenid(app.config.wechat.appId, 'alice'));
  });

  it('should keep one user per openid across logins', async () => {
    const first = await app.httpRequest().post('/api/login').send({ code: 'bob.1' })
      .expect(200);
    const second = await app.httpRequest().post('/api/login').send({ code: 'bob.2' })
      .expect(200);
    assert.equal(first.body.user.id, second.body.user.id);
    assert.equal(await app.model.User.count(), 1);
  });

  it('should create one user when two first logins race', async () => {
    const replies = await Promise.all([ 'carol.1', 'carol.2', 'carol.3' ].map(code =>
      app.httpRequest().post('/api/login').send({ code })));
    assert.deepEqual(replies.map(r => r.status), [ 200, 200, 200 ]);
    assert.equal(new Set(replies.map(r => r.body.user.id)).size, 1);
    assert.equal(await app.model.User.count(), 1);
  });

  it('should never return or log the session_key', async () => {
    const logged: string[] = [];
    for (const method of [ 'info', 'warn', 'error', 'debug' ] as const) {
      mock(app.logger, method, (...args: unknown[]) => logged.push(args.map(String).join(' ')));
    }
    const res = await app.httpRequest().post('/api/login').send({ code: 'dave.1' })
      .expect(200);
    assert.doesNotMatch(JSON.stringify(res.body), /session_key|sessionKey/);
    assert.doesNotMatch(logged.join('\n'), /session_key|sessionKey|sandbox-app-secret/);
  });

  it('should answer 400 without a code', async () => {
    for (const body of [{}, { code: '' }, { code: 42 }, { code: 'x'.repeat(129) }]) {
      const res = await app.httpRequest().post('/api/login').send(body)
        .expect(400);
      assert.equal(res.body.code, 'CODE_REQUIRED');
    }
    assert.equal(await app.model.User.count(), 0);
  });

  it('should answer 400 for a body that is not JSON', async () => {
    const res = await app.httpRequest().post('/api/login')
      .set('content-type', 'application/json')
      .send('{"code":')
      .expect(400);
    assert.equal(res.body.code, 'INVALID_REQUEST');
  });

  it('should answer 401 for a code WeChat rejects (40029)', async () => {
    const res = await app.httpRequest().post('/api/login').send({ code: 'invalid-code' })
      .expect(401);
    assert.equal(res.body.code, 'WECHAT_CODE_INVALID');
    assert.equal(await app.model.User.count(), 0);
  });

  it('should answer 401 for a reused code (40163)', async () => {
    await app.httpRequest().post('/api/login').send({ code: 'erin.1' })
      .expect(200);
    const res = await app.httpRequest().post('/api/login').send({ code: 'erin.1' })
      .expect(401);
    assert.equal(res.body.code, 'WECHAT_CODE_USED');
  });

  it('should answer 503 when WeChat is busy (-1)', async () => {
    sandboxOf(app).faults.arm('jscode2session', { kind: 'BUSY' }, 1);
    const res = await app.httpRequest().post('/api/login').send({ code: 'frank.1' })
      .expect(503);
    assert.equal(res.body.code, 'WECHAT_BUSY');
    assert.equal(await app.model.User.count(), 0);
  });

  it('should answer 503 when WeChat answers HTTP 500', async () => {
    sandboxOf(app).faults.arm('jscode2session', { kind: 'HTTP_500' }, 1);
    const res = await app.httpRequest().post('/api/login').send({ code: 'gina.1' })
      .expect(503);
    assert.equal(res.body.code, 'WECHAT_UNAVAILABLE');
  });

  it('should answer 503 when WeChat does not answer in time', async () => {
    mock(app.config.wechat, 'timeoutMs', 200);
    sandboxOf(app).faults.arm('jscode2session', { kind: 'DELAY', delayMs: 1000 }, 1);
    const res = await app.httpRequest().post('/api/login').send({ code: 'hank.1' })
      .expect(503);
    assert.equal(res.body.code, 'WECHAT_TIMEOUT');
  });

  it('should answer 502 when the app credentials are refused', async () => {
    mock(app.config.wechat, 'secret', 'wrong-secret');
    const res = await app.httpRequest().post('/api/login').send({ code: 'ivy.1' })
      .expect(502);
    assert.equal(res.body.code, 'WECHAT_ERROR');
  });
});
