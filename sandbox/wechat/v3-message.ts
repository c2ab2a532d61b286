/**
 * The strings Pay API v3 signs ("签名生成" / "签名验证"), every line ending
 * with `\n`, the last one included:
 * - a merchant's request, 5 lines: method, path with query, timestamp, nonce, body;
 * - WeChat's reply or notify, 3 lines: timestamp, nonce, body.
 * A GET has an empty body, which still ends its line.
 */
export function v3RequestMessage(method: string, pathWithQuery: string, timestamp: string, nonce: string, body: string): string {
  return `${method}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

export function v3ResponseMessage(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}
