import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { app, mock } from 'egg-mock/bootstrap';
import { logLinesWith } from './logs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const freshId = () => `lb-${randomBytes(8).toString('hex')}`;

describe('test/app/request_id.test.ts', () => {
  afterEach(() => mock.restore());

  it('should give a success, an error and a route-less reply each its own X-Request-Id', async () => {
    const ok = await app.httpRequest().get('/api/products').expect(200);
    const unauthorized = await app.httpRequest().get('/api/orders').expect(401);
    const missing = await app.httpRequest().get('/api/no-such-route').expect(404);
    const ids = [ ok, unauthorized, missing ].map(res => res.headers['x-request-id']);
    for (const id of ids) assert.match(id, UUID);
    assert.equal(new Set(ids).size, 3);
  });

  it('should set the id first of all: errorHandler heads the chain, and egg\'s unused core middleware is gone', () => {
    const { coreMiddleware } = app.config;
    assert.equal(coreMiddleware[0], 'errorHandler');
    for (const unused of [ 'meta', 'siteFile', 'notfound', 'overrideMethod' ]) assert.ok(!coreMiddleware.includes(unused), unused);
  });

  it('should answer what egg\'s own middleware used to (favicon, method override) as the API does', async () => {
    // siteFile redirected /favicon.ico to eggjs.org, a site a merchant's network may not reach
    const favicon = await app.httpRequest().get('/favicon.ico').expect(404);
    assert.equal(favicon.body.code, 'NOT_FOUND');
    assert.match(favicon.headers['x-request-id'], UUID);
    // meta's timing header is no longer sent
    assert.equal(favicon.headers['x-readtime'], undefined);
    // overrideMethod turned this POST into a GET of the products
    const overridden = await app.httpRequest().post('/api/products').set('x-http-method-override', 'GET')
      .send({});
    assert.equal(overridden.status, 404);
    assert.equal(overridden.body.code, 'NOT_FOUND');
  });

  it('should give notify replies, v2 and v3, an X-Request-Id', async () => {
    const v2 = await app.httpRequest().post('/api/pay/notify').set('content-type', 'text/xml')
      .send('<xml><return_code>SUCCESS</return_code></xml>')
      .expect(200);
    assert.match(v2.text, /FAIL/);
    assert.match(v2.headers['x-request-id'], UUID);
    const v3 = await app.httpRequest().post('/api/pay/notify/v3').set('content-type', 'application/json')
      .send('{}');
    assert.equal(v3.status, 401);
    assert.match(v3.headers['x-request-id'], UUID);
  });

  it('should echo the id of a trusted proxy (TRUST_PROXY)', async () => {
    mock(app.config, 'proxy', true);
    const id = freshId();
    const res = await app.httpRequest().get('/api/orders').set('x-request-id', id)
      .expect(401);
    assert.equal(res.headers['x-request-id'], id);
  });

  it('should replace the id of an untrusted client, and an insane one even from a trusted proxy', async () => {
    const untrusted = await app.httpRequest().get('/api/products').set('x-request-id', freshId())
      .expect(200);
    assert.match(untrusted.headers['x-request-id'], UUID);
    mock(app.config, 'proxy', true);
    for (const insane of [ 'a'.repeat(129), 'id with spaces', 'forged]\n2026-01-01 INFO', 'id/../x', 'é' ]) {
      const res = await app.httpRequest().get('/api/products').set('x-request-id', encodeURI(insane) === insane ? insane : encodeURIComponent(insane))
        .expect(200);
      assert.match(res.headers['x-request-id'], UUID, insane);
    }
  });

  it('should put the id on every log line of its request, the upstream call\'s included', async () => {
    mock(app.config, 'proxy', true);
    const id = freshId();
    // a login calls WeChat (code2Session): the upstream line, then UserService's own
    await app.httpRequest().post('/api/login').set('x-request-id', id)
      .send({ code: `req-id.${id}` })
      .expect(200);
    const lines = await logLinesWith(app, id);
    assert.ok(lines.some(line => line.includes('[upstream:wechat.')), `no upstream line carries the id:\n${lines.join('\n')}`);
    assert.ok(lines.some(line => line.includes('[UserService.login]')), `the service's line does not carry the id:\n${lines.join('\n')}`);
    // the id sits in the request's padding, with the request it names
    for (const line of lines) assert.ok(line.includes(`/${id}/`) && line.includes('POST /api/login'), line);
  });

  it('should put the id on a rejected notify\'s warning', async () => {
    mock(app.config, 'proxy', true);
    const id = freshId();
    await app.httpRequest().post('/api/pay/notify').set('x-request-id', id)
      .set('content-type', 'text/xml')
      .send('<xml><return_code>SUCCESS</return_code><out_trade_no>X1</out_trade_no></xml>')
      .expect(200);
    const lines = await logLinesWith(app, id);
    assert.ok(lines.some(line => line.includes('[NotifyService.receiveV2:rejected]')), `no rejection line carries the id:\n${lines.join('\n')}`);
  });
});
