import assert from 'node:assert';
import { app } from 'egg-mock/bootstrap';
import { buildOpenApiDocument } from '../../app/openapi/document';

// The redirects of the static pages' bare paths: pages, not API (the document says so).
const UNDOCUMENTED_ROUTES = new Set([ '/console', '/playground', '/openapi' ]);

/** `/api/orders/:orderNo` → `/api/orders/{orderNo}` */
const templateOf = (path: string) => path.replace(/:(\w+)/g, '{$1}');

describe('test/openapi/routes.test.ts', () => {
  const doc = buildOpenApiDocument('test');

  // method + template of every route the router has (HEAD comes with GET and is not listed)
  function routes(): Set<string> {
    const found = new Set<string>();
    for (const layer of (app.router as unknown as { stack: Array<{ path: string; methods: string[] }> }).stack) {
      if (UNDOCUMENTED_ROUTES.has(layer.path)) continue;
      for (const method of layer.methods) {
        if (method !== 'HEAD') found.add(`${method} ${templateOf(layer.path)}`);
      }
    }
    return found;
  }

  function documented(): Set<string> {
    const found = new Set<string>();
    for (const [ template, item ] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) found.add(`${method.toUpperCase()} ${template}`);
    }
    return found;
  }

  it('documents every route of the router', () => {
    const missing = [ ...routes() ].filter(route => !documented().has(route));
    assert.deepEqual(missing, [], `routes without documentation in app/openapi/: ${missing.join(', ')}`);
  });

  it('documents no operation the router does not have', () => {
    const extra = [ ...documented() ].filter(route => !routes().has(route));
    assert.deepEqual(extra, [], `documented operations without a route: ${extra.join(', ')}`);
  });
});
