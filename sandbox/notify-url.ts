const MAX_NOTIFY_URL_LENGTH = 256;

/**
 * Whether WeChat takes `value` as a notify_url: http(s), at most 256
 * characters, and no query string, which WeChat refuses. (WeChat wants
 * https; the sandbox relaxes that for loopback merchants.)
 */
export function isNotifyUrl(value: string): boolean {
  if (value.length > MAX_NOTIFY_URL_LENGTH) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.search === '';
  } catch {
    return false;
  }
}
