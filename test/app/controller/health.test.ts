import assert from 'node:assert/strict';
import { app, mock } from 'egg-mock/bootstrap';

describe('test/app/controller/health.test.ts', () => {
  afterEach(() => mock.restore());

  it('should answer 200 when the database answers', async () => {
    const res = await app.httpRequest().get('/healthz').expect(200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('should answer 503 when the database does not', async () => {
    mock(app.model, 'query', async () => {
      throw new Error('connect ECONNREFUSED');
    });
    const res = await app.httpRequest().get('/healthz').expect(503);
    assert.equal(res.body.code, 'DATABASE_UNAVAILABLE');
  });

  it('should answer 503 when the database does not answer at all (bounded at 1.5 s)', async () => {
    mock(app.model, 'query', () => new Promise(() => undefined));
    const res = await app.httpRequest().get('/healthz').expect(503);
    assert.equal(res.body.code, 'DATABASE_UNAVAILABLE');
  });

  it('should answer JSON 404 for unknown routes', async () => {
    const res = await app.httpRequest().get('/nope').expect(404);
    assert.equal(res.body.code, 'NOT_FOUND');
  });
});
