/**
 * Query strings of the console's routes and API calls: empty values are left
 * out (an absent filter, not `status=`), the rest in the order given.
 */
export type QueryValues = Record<string, string | number | undefined | null>;

export function queryString(values: QueryValues): string {
  const parts: string[] = [];
  for (const [ key, value ] of Object.entries(values)) {
    if (value === undefined || value === null || value === '') continue;
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** A positive whole page number or page size read from a route, else the fallback (bounded by max). */
export function positiveInt(text: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined || !/^\d{1,9}$/.test(text)) return fallback;
  const value = Number(text);
  return value >= 1 ? Math.min(value, max) : fallback;
}

/** How many pages `total` rows make (at least one). */
export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}
