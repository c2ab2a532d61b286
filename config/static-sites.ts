import path from 'node:path';

/** One directory egg-static serves under a URL prefix (koa-static-cache options). */
interface StaticSite {
  prefix: string;
  dir: string;
  /** request path → file path, for the directory's own URL */
  alias?: Record<string, string>;
  /** seconds a browser may keep a file without asking again */
  maxAge?: number;
}

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
      { prefix: '/openapi/swagger-ui/', dir: swaggerUi },
      site('/openapi/', path.join(baseDir, 'openapi')),
    );
  }
  const [ first, ...rest ] = sites;
  return {
    // egg-static serves `dir` and every entry of `dirs`, each under its own prefix.
    prefix: first.prefix,
    dir: first as unknown as string,
    dirs: rest,
    dynamic: true,
    preload: false,
    buffer: false,
    maxFiles: 1000,
  };
}
