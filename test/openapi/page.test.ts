import assert from 'node:assert';
import { app } from 'egg-mock/bootstrap';

describe('test/openapi/page.test.ts', () => {
  it('serves the OpenAPI viewer at /openapi/, pointed at /openapi.json', async () => {
    const page = await app.httpRequest().get('/openapi/').expect(200)
      .expect('Content-Type', /text\/html/);
    for (const asset of [ '/openapi/swagger-ui/swagger-ui.css', '/openapi/swagger-ui/swagger-ui-bundle.js', '/openapi/swagger-ui/swagger-ui-standalone-preset.js', '/openapi/swagger-initializer.js' ]) {
      assert(page.text.includes(asset), `the page loads ${asset}`);
    }
    const initializer = await app.httpRequest().get('/openapi/swagger-initializer.js').expect(200);
    assert.match(initializer.text, /url: '\/openapi\.json'/);
  });

  it('serves Swagger UI from the installed package, not a CDN', async () => {
    const bundle = await app.httpRequest().get('/openapi/swagger-ui/swagger-ui-bundle.js').expect(200)
      .expect('Content-Type', /javascript/);
    assert(bundle.text.length > 100_000);
    await app.httpRequest().get('/openapi/swagger-ui/swagger-ui.css').expect(200)
      .expect('Content-Type', /css/);
  });

  it('leads the bare path to the page', async () => {
    await app.httpRequest().get('/openapi').expect(301)
      .expect('Location', '/openapi/');
  });
});
