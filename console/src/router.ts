import { reactive } from 'vue';

/**
 * Hash routing (#/orders?page=2): the server serves one index.html and
 * needs no fallback route. The current route is reactive; links are plain
 * <a href="#/..."> so they work with the keyboard, a middle click and the
 * back button.
 */
export type RouteName = 'sign-in' | 'orders' | 'order' | 'refunds' | 'refund' | 'reconciliations' | 'reconciliation' | 'not-found';

export interface Route {
  name: RouteName;
  params: Record<string, string>;
  query: Record<string, string>;
  /** the hash without '#', e.g. "/orders?page=2" */
  full: string;
}

const PATTERNS: Array<[RouteName, RegExp, string[]]> = [
  [ 'sign-in', /^\/sign-in$/, [] ],
  [ 'orders', /^\/orders$/, [] ],
  [ 'order', /^\/orders\/([^/]+)$/, [ 'orderNo' ] ],
  [ 'refunds', /^\/refunds$/, [] ],
  [ 'refund', /^\/refunds\/([^/]+)$/, [ 'refundNo' ] ],
  [ 'reconciliations', /^\/reconciliations$/, [] ],
  [ 'reconciliation', /^\/reconciliations\/(\d{4}-\d{2}-\d{2})$/, [ 'date' ] ],
];

export function parseHash(hash: string): Route {
  const full = hash.replace(/^#/, '') || '/orders';
  const [ path, search = '' ] = full.split('?', 2);
  const query: Record<string, string> = {};
  for (const [ key, value ] of new URLSearchParams(search)) query[key] = value;
  for (const [ name, pattern, keys ] of PATTERNS) {
    const m = pattern.exec(path === '/' ? '/orders' : path);
    if (!m) continue;
    const params: Record<string, string> = {};
    keys.forEach((key, i) => { params[key] = decodeURIComponent(m[i + 1]); });
    return { name, params, query, full };
  }
  return { name: 'not-found', params: {}, query, full };
}

export const route = reactive<Route>(parseHash(location.hash));

window.addEventListener('hashchange', () => Object.assign(route, parseHash(location.hash)));

/** Goes to a route ("/orders?page=2"); `replace` keeps the current entry out of the history. */
export function navigate(to: string, replace = false): void {
  const hash = `#${to}`;
  if (location.hash === hash) return;
  if (replace) {
    history.replaceState(history.state, '', hash);
    Object.assign(route, parseHash(hash));
  } else {
    location.hash = hash;
  }
}

/** An href for a route, path segments encoded. */
export function href(...segments: string[]): string {
  return `#/${segments.map(encodeURIComponent).join('/')}`;
}
