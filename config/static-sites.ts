import path from 'node:path';

/** One directory egg-static serves under a URL prefix (koa-static-cache options). */
interface StaticSite {
  prefix: string;
  dir: string;
  /** request path → file path, for the directory's own URL */
  alias?: Record<string, string>;
  /** seconds a browser may keep a file without asking again */
  maxAge?: number;
  /** serve only these files, known at start (koa-static-cache `preload` with a `filter`) */
  filter?: string[];
  preload?: boolean;
  dynamic?: boolean;
}

// What the OpenAPI page (openapi/index.html) loads from swagger-ui-dist; nothing
// else of the package is served (its own index.html would fetch a remote demo document).
const SWAGGER_UI_FILES = [ 'swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js' ];

// Vite names every built asset by its content hash: a changed file is a new URL.
const ONE_YEAR_S = 365 * 24 * 3600;

function site(prefix: string, dir: string, maxAge = 0): StaticSite {
  return { prefix, dir, alias: { [prefix]: `${prefix}index.html` }, maxAge };
}

/**
 * The pages the app serves itself (no CDN: they work on a network that
 * reaches only the merchant's server). Every environment serves the merchant
 * console, built into console/dist (`npm run build:console`). Local dev and
 * the tests also serve the developer pages, the mini-program playground and
 * the OpenAPI viewer; production never does, like the sandbox (404 there).
 */
export function staticSites(baseDir: string, options: { developerPages: boolean }) {
  const sites: StaticSite[] = [
    { prefix: '/console/assets/', dir: path.join(baseDir, 'console/dist/assets'), maxAge: ONE_YEAR_S },
    site('/console/', path.join(baseDir, 'console/dist')),
  ];
  if (options.developerPages) {
    // Required here, not imported: swagger-ui-dist is a devDependency, absent from production installs.
    const swaggerUi = path.dirname(require.resolve('swagger-ui-dist/package.json'));
    sites.push(
      site('/playground/', path.join(baseDir, 'playground')),
      { prefix: '/openapi/swagger-ui/', dir: swaggerUi, filter: SWAGGER_UI_FILES, preload: true, dynamic: false },
      site('/openapi/', path.join(baseDir, 'openapi')),
    );
  }
  return {
    // Only requests for the pages go through egg-static's middleware (egg's `match`): the API's
    // and WeChat's requests skip its range check and one static-cache layer per site.
    match: (ctx: { method: string; path: string }) => (ctx.method === 'GET' || ctx.method === 'HEAD') && sites.some(({ prefix }) => ctx.path.startsWith(prefix)),
    // egg-static takes `dir` as a list of { prefix, dir, … }, each served under its own prefix.
    dir: sites,
    dynamic: true,
    preload: false,
    buffer: false,
    maxFiles: 1000,
  };
}
