/**
 * Replies to requests Node refuses before the app sees them (its http
 * server's 'clientError': a header block over maxHeaderSize, a request that
 * outlives headersTimeout / requestTimeout, a request line or header that is
 * not HTTP). Egg answers them itself, always 400 with an HTML page, unless
 * config.onClientError says otherwise: this is what it says, the
 * `{ code, message }` JSON of every other error.
 */

export interface ClientErrorReply {
  status: number;
  code: string;
  message: string;
}

/** What to answer for Node's error code (`err.code` of 'clientError'). */
export function clientErrorReply(errorCode: string | undefined): ClientErrorReply {
  switch (errorCode) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'HEADERS_TOO_LARGE', message: 'the request headers are too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'REQUEST_TIMEOUT', message: 'the request did not arrive in time' };
    default:
      // every HPE_* code but the overflow: a request line, header or body framing that is not HTTP
      return { status: 400, code: 'INVALID_REQUEST', message: 'the request is not valid HTTP' };
  }
}

/** The raw response egg writes on the socket (its onClientError contract), closing the connection: the parser's state is lost. */
export function clientErrorResponse(reply: ClientErrorReply, requestId: string): { status: number; headers: Record<string, string>; body: string } {
  return {
    status: reply.status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'X-Request-Id': requestId, Connection: 'close' },
    body: JSON.stringify({ code: reply.code, message: reply.message }),
  };
}
