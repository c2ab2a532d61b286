import assert from 'node:assert';
import { Readable } from 'node:stream';
import { app, mock } from 'egg-mock/bootstrap';
import { issueStaffToken } from '../../app/lib/staff-token';
import { takeViolations } from './hook';

// The hook itself: a reply the document does not describe is caught, whichever server the test called.
describe('test/openapi/hook.test.ts', () => {
  afterEach(() => mock.restore());

  async function viewerToken(): Promise<string> {
    await app.createAnonymousContext().service.staff.createIfMissing({ username: 'conformance', password: 'conformance-password', role: 'viewer' });
    return issueStaffToken({ username: 'conformance', role: 'viewer' }, app.config.auth.tokenSecret, 60).token;
  }

  function mockBadCatalogue() {
    // a negative price and an undocumented field: two departures from the Product schema
    app.mockService('catalogue', 'listProducts', async () => [{ id: 1, name: 'tea', price: -1, stock: 3, secret: 'x' }]);
  }

  it('catches a non-conforming reply to app.httpRequest()', async () => {
    mockBadCatalogue();
    await app.httpRequest().get('/api/products').expect(200);
    const violations = takeViolations();
    assert.equal(violations.length, 1);
    assert.equal(violations[0].path, '/api/products');
    assert.equal(violations[0].status, 200);
    assert.match(violations[0].problems.join('\n'), /body\/0\/price must be >= 0/);
    assert.match(violations[0].problems.join('\n'), /must NOT have additional properties/);
  });

  it('catches a non-conforming reply on the real listener (WeChat, browsers)', async () => {
    mockBadCatalogue();
    const origin = new URL(app.config.wxpay.notifyUrl).origin;
    const res = await fetch(`${origin}/api/products`);
    assert.equal(res.status, 200);
    await res.text();
    assert.equal(takeViolations().length, 1);
  });

  it('catches an undocumented status', async () => {
    app.mockService('catalogue', 'listProducts', async () => {
      throw Object.assign(new Error('teapot'), { status: 418 });
    });
    await app.httpRequest().get('/api/products').expect(418);
    const [ violation ] = takeViolations();
    assert.match(violation.problems[0], /status 418 is not documented/);
  });

  it('checks the header line of a CSV reply once it has streamed', async () => {
    app.mockService('billReconciliation', 'discrepanciesCsv', async () => Readable.from([ 'kind,orderNo\r\n', 'MISSING_LOCALLY,X\r\n' ]));
    await app.httpRequest().get('/admin/api/reconciliations/2026-01-01/discrepancies.csv')
      .set('Authorization', `Bearer ${await viewerToken()}`)
      .expect(200);
    const [ violation ] = takeViolations();
    assert.match(violation.problems[0], /CSV header line "kind,orderNo" is not/);
  });

  it('leaves what the document does not describe alone', async () => {
    await app.httpRequest().get('/no/such/route').expect(404);
    await app.httpRequest().get('/openapi/').expect(200);
    assert.deepEqual(takeViolations(), []);
  });
});
