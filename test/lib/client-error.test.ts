import assert from 'node:assert/strict';
import { clientErrorReply, clientErrorResponse } from '../../app/lib/client-error';

describe('test/lib/client-error.test.ts', () => {
  it('should map Node\'s client errors to statuses and codes', () => {
    assert.deepEqual(clientErrorReply('HPE_HEADER_OVERFLOW'), { status: 431, code: 'HEADERS_TOO_LARGE', message: 'the request headers are too large' });
    assert.deepEqual(clientErrorReply('ERR_HTTP_REQUEST_TIMEOUT'), { status: 408, code: 'REQUEST_TIMEOUT', message: 'the request did not arrive in time' });
    for (const code of [ 'HPE_INVALID_METHOD', 'HPE_INVALID_URL', 'HPE_UNEXPECTED_CONTENT_LENGTH', undefined ]) {
      assert.deepEqual(clientErrorReply(code), { status: 400, code: 'INVALID_REQUEST', message: 'the request is not valid HTTP' });
    }
  });

  it('should answer JSON that closes the connection and names a request id', () => {
    assert.deepEqual(clientErrorResponse(clientErrorReply('HPE_HEADER_OVERFLOW'), 'rid-1'), {
      status: 431,
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'X-Request-Id': 'rid-1', Connection: 'close' },
      body: '{"code":"HEADERS_TOO_LARGE","message":"the request headers are too large"}',
    });
  });
});
