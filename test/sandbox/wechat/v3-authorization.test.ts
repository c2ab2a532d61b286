import assert from 'node:assert/strict';
import { parseMerchantAuthorization } from '../../../sandbox/wechat/v3-authorization';

describe('test/sandbox/wechat/v3-authorization.test.ts', () => {
  const good = 'mchid="1900009191",nonce_str="N",signature="c2ln",timestamp="1554208460",serial_no="S"';

  it('should read the five parameters in any order, with spaces around them', () => {
    assert.deepEqual(
      parseMerchantAuthorization('WECHATPAY2-SHA256-RSA2048 serial_no="S", timestamp="1554208460" ,signature="c2ln",nonce_str="N",mchid="1900009191"'),
      { mchid: '1900009191', nonce_str: 'N', signature: 'c2ln', timestamp: '1554208460', serial_no: 'S' },
    );
    assert.ok(parseMerchantAuthorization(`WECHATPAY2-SHA256-RSA2048 ${good}`));
  });

  for (const header of [
    undefined,
    '',
    `Bearer ${good}`,
    `WECHATPAY2-SHA256-RSA2048${good}`,
    'WECHATPAY2-SHA256-RSA2048 mchid="M",nonce_str="N",signature="c2ln",timestamp="1"',
    'WECHATPAY2-SHA256-RSA2048 mchid="",nonce_str="N",signature="c2ln",timestamp="1",serial_no="S"',
    `WECHATPAY2-SHA256-RSA2048 ${good},mchid="X"`,
    `WECHATPAY2-SHA256-RSA2048 ${good},junk`,
    'WECHATPAY2-SHA256-RSA2048 mchid=M,nonce_str="N",signature="c2ln",timestamp="1",serial_no="S"',
  ]) {
    it(`should refuse ${JSON.stringify(header)?.slice(0, 60)}`, () => {
      assert.equal(parseMerchantAuthorization(header), undefined);
    });
  }
});
