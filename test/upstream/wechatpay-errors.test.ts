import assert from 'node:assert/strict';
import { isRefusal, wechatPayError } from '../../app/upstream/wechatpay-errors';

// Only a refusal WeChat verifiably made may mark a refund FAILED; everything
// else leaves its outcome unknown (202, re-submitted with the same refundNo).
describe('test/upstream/wechatpay-errors.test.ts', () => {
  const refusals = [ 'NOTENOUGH', 'USER_ACCOUNT_ABNORMAL', 'PARAM_ERROR', 'SOME_CODE_NOBODY_KNOWS' ];
  refusals.forEach(code => {
    it(`should treat ${code} as a refusal`, () => {
      const err = wechatPayError(code, 'detail');
      assert.equal(isRefusal(err), true);
      assert.equal(err.retryable, false);
    });
  });

  const unknownOutcomes = [
    // WeChat asks for the same request again
    'SYSTEMERROR', 'BIZERR_NEED_RETRY', 'ORDER_NOT_READY', 'FREQUENCY_LIMITED',
    // WeChat was never asked
    'CERTIFICATE_DOWNLOAD_FAILED', 'NO_PLATFORM_CERTIFICATE', 'TIMEOUT', 'UNREACHABLE',
    // an answer nobody signed: return_code FAIL, a bare HTTP status, a bad signature
    'RETURN_FAIL', 'HTTP_400', 'HTTP_404', 'BAD_SIGNATURE',
  ];
  unknownOutcomes.forEach(code => {
    it(`should not treat ${code} as a refusal`, () => {
      assert.equal(isRefusal(wechatPayError(code, 'detail')), false);
    });
  });

  it('should name the code, and never the detail of an unavailable upstream, in the message', () => {
    assert.match(wechatPayError('SYSTEMERROR', 'inner detail').message, /\(SYSTEMERROR\)$/);
    assert.match(wechatPayError('HTTP_404', 'not found').message, /HTTP_404: not found/);
  });
});
