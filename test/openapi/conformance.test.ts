import assert from 'node:assert';
import { buildOpenApiDocument } from '../../app/openapi/document';
import { Conformance, Reply } from './conformance';

// The checker alone, on replies made up here: what it accepts and what it refuses.
describe('test/openapi/conformance.test.ts', () => {
  const conformance = new Conformance(buildOpenApiDocument('test'));
  const headerNames = new Set([ 'x-request-id' ]);

  function check(method: string, path: string, reply: Partial<Reply> & Pick<Reply, 'status' | 'body'>): string[] {
    const match = conformance.match(method, path);
    assert(match, `${method} ${path} is documented`);
    return conformance.check(match, { method, path, headerNames, ...reply });
  }

  it('matches literal paths before templates, and only documented methods', () => {
    assert.equal(conformance.match('GET', '/api/orders')?.template, '/api/orders');
    assert.equal(conformance.match('GET', '/admin/api/reconciliations/2026-01-01/discrepancies.csv')?.template,
      '/admin/api/reconciliations/{date}/discrepancies.csv');
    assert.equal(conformance.match('DELETE', '/api/orders'), undefined);
    assert.equal(conformance.match('GET', '/sandbox/wechat/sns/jscode2session'), undefined);
  });

  it('checks a v2 notify reply: XML root, required elements, return_code', () => {
    const xml = (text: string) => check('POST', '/api/pay/notify', { status: 200, contentType: 'text/xml', body: { kind: 'text', text } });
    assert.deepEqual(xml('<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>'), []);
    assert.match(xml('<reply><return_code>SUCCESS</return_code></reply>').join(), /root element <reply>/);
    assert.match(xml('<xml><return_code>MAYBE</return_code><return_msg>x</return_msg></xml>').join(), /"MAYBE", not one of SUCCESS, FAIL/);
    assert.match(xml('<xml><return_code>FAIL</return_code></xml>').join(), /<return_msg> is missing/);
  });

  it('refuses a body where none is documented, and an undocumented content type', () => {
    assert.deepEqual(check('POST', '/api/pay/notify/v3', { status: 204, body: { kind: 'none' } }), []);
    assert.match(check('POST', '/api/pay/notify/v3', { status: 204, contentType: 'text/plain', body: { kind: 'text', text: 'ok' } }).join(), /where none is documented/);
    assert.match(check('GET', '/healthz', { status: 200, contentType: 'text/html', body: { kind: 'text', text: 'ok' } }).join(), /content type text\/html/);
  });

  it('requires the documented headers (Retry-After on a 429)', () => {
    const body = { kind: 'json' as const, value: { code: 'TOO_MANY_ATTEMPTS', message: 'wait' } };
    assert.match(check('POST', '/admin/api/login', { status: 429, contentType: 'application/json', body }).join(), /header Retry-After is missing/);
    assert.deepEqual(check('POST', '/admin/api/login', { status: 429, contentType: 'application/json', body, headerNames: new Set([ 'x-request-id', 'retry-after' ]) }), []);
  });

  it('refuses an error code the route does not document', () => {
    const problems = check('GET', '/api/orders', { status: 400, contentType: 'application/json; charset=utf-8', body: { kind: 'json', value: { code: 'ITEMS_REQUIRED', message: 'x' } } });
    assert.match(problems.join(), /body\/code must be equal to one of the allowed values \(INVALID_PAGINATION\)/);
  });
});
