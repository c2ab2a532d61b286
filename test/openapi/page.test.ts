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
    // nothing else of the package: its own index.html would fetch a remote demo document
    await app.httpRequest().get('/openapi/swagger-ui/index.html').expect(404);
    await app.httpRequest().get('/openapi/swagger-ui/swagger-initializer.js').expect(404);
  });

  it('leads the bare paths to the pages (302, which browsers do not cache as they do a 301)', async () => {
    for (const page of [ '/openapi', '/console', '/playground' ]) {
      await app.httpRequest().get(page).expect(302)
        .expect('Location', `${page}/`);
    }
  });
});
