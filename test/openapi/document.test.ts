import assert from 'node:assert';
import { app } from 'egg-mock/bootstrap';
import { buildOpenApiDocument } from '../../app/openapi/document';
import { Conformance } from './conformance';

// ESM only: imported as ESM at run time (TypeScript would turn a plain import() into require()).
// eslint-disable-next-line no-new-func
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<any>;

describe('test/openapi/document.test.ts', () => {
  const doc = buildOpenApiDocument('1.0.0');

  it('is a valid OpenAPI 3.1 document', async () => {
    const { Validator } = await importEsm('@seriousme/openapi-schema-validator');
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(doc)));
    assert.deepEqual(result.errors, undefined, JSON.stringify(result.errors, null, 2));
    assert.equal(result.valid, true);
    assert.equal(validator.version, '3.1');
  });

  it('has a schema every JSON response compiles from (every $ref resolves)', () => {
    const conformance = new Conformance(doc);
    let compiled = 0;
    for (const [ template, item ] of Object.entries(doc.paths)) {
      for (const [ method, operation ] of Object.entries(item)) {
        const match = conformance.match(method, template.replace(/\{[^}]+\}/g, 'x'));
        assert(match, `${method} ${template} is matched`);
        for (const [ status, response ] of Object.entries(operation!.responses)) {
          if (!response.content?.['application/json']) continue;
          // an empty object is wrong for every documented JSON body: the check must run and fail
          const problems = conformance.check(match, {
            method, path: template, status: Number(status), contentType: 'application/json',
            headerNames: new Set([ 'x-request-id', 'retry-after', 'www-authenticate' ]), body: { kind: 'json', value: {} },
          });
          assert(problems.length > 0, `${method} ${template} ${status} rejects {}`);
          compiled++;
        }
      }
    }
    assert(compiled > 50, `${compiled} response schemas`);
  });

  it('is served at /openapi.json, relative to its host', async () => {
    const res = await app.httpRequest().get('/openapi.json').expect(200)
      .expect('Content-Type', /^application\/json/);
    assert.equal(res.body.openapi, '3.1.0');
    assert.deepEqual(res.body.servers, [{ url: '/' }]);
    assert.deepEqual(Object.keys(res.body.paths).sort(), Object.keys(doc.paths).sort());
    assert.equal(res.body.info.version, app.config.pkg.version);
  });

  it('takes its enums from the code', () => {
    const { schemas } = doc.components;
    assert.deepEqual(schemas.OrderStatus.enum, [ 'PENDING', 'PAID', 'CLOSED', 'REFUNDED' ]);
    assert.deepEqual(schemas.RefundStatus.enum, [ 'PROCESSING', 'SUCCESS', 'CLOSED', 'ABNORMAL', 'FAILED' ]);
    assert.deepEqual(schemas.ReconciliationStatus.enum, [ 'PENDING', 'RUNNING', 'WAITING', 'DONE', 'EMPTY', 'FAILED' ]);
    assert.equal(schemas.DiscrepancyKind.enum!.length, 9);
  });
});
