import assert from 'node:assert/strict';
import { decryptReqInfo, encryptReqInfo } from '../../../sandbox/wechat/refund-req-info';
import { REFUND_REQ_INFO } from '../../fixtures/wechatpay-vectors';

describe('test/sandbox/wechat/refund-req-info.test.ts', () => {
  for (const [ name, vector ] of Object.entries(REFUND_REQ_INFO)) {
    it(`should encrypt ${name} (${vector.source.split(' ')[0]}) to its published req_info`, () => {
      assert.equal(encryptReqInfo(vector.plaintext, vector.apiKey), vector.reqInfo);
    });

    it(`should decrypt ${name}'s req_info`, () => {
      assert.equal(decryptReqInfo(vector.reqInfo, vector.apiKey), vector.plaintext);
    });
  }

  it('should decrypt R1 to the refund it describes', () => {
    const plaintext = decryptReqInfo(REFUND_REQ_INFO.R1.reqInfo, REFUND_REQ_INFO.R1.apiKey);
    assert.match(plaintext, /<refund_id><!\[CDATA\[50000404922017112502468056157\]\]><\/refund_id>/);
    assert.match(plaintext, /<refund_recv_accout><!\[CDATA\[支付用户零钱\]\]><\/refund_recv_accout>/);
  });

  it('should pad a text that fills its last block with a whole block (standard PKCS#7)', () => {
    const sixteen = 'abcdefghijklmnop';
    assert.equal(Buffer.from(encryptReqInfo(sixteen, REFUND_REQ_INFO.R2.apiKey), 'base64').length, 32);
    assert.equal(decryptReqInfo(encryptReqInfo(sixteen, REFUND_REQ_INFO.R2.apiKey), REFUND_REQ_INFO.R2.apiKey), sixteen);
  });

  it('should not decrypt with another API key', () => {
    assert.throws(() => decryptReqInfo(REFUND_REQ_INFO.R1.reqInfo, REFUND_REQ_INFO.R2.apiKey));
  });
});
