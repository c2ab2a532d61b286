import assert from 'node:assert/strict';
import { decryptRefundReqInfo, verifyV2RefundNotify } from '../../../app/lib/wxpay/v2-refund-notify';
import vectors from '../../fixtures/refund-req-info.json';

const APP_ID = 'wx2421b1c4370ec43b';
const MCH_ID = '10000100';

/** A v2 refund notify body around a published req_info, as WeChat sends it (no sign). */
function notifyBody(reqInfo: string, overrides: Record<string, string> = {}): string {
  const fields: Record<string, string> = { return_code: 'SUCCESS', appid: APP_ID, mch_id: MCH_ID, nonce_str: 'TeqClE3i0mvn3DrK', req_info: reqInfo, ...overrides };
  return `<xml>${Object.entries(fields).map(([ k, v ]) => `<${k}><![CDATA[${v}]]></${k}>`).join('')}</xml>`;
}

describe('test/lib/wxpay/v2-refund-notify.test.ts', () => {
  describe('decryptRefundReqInfo()', () => {
    it('should decrypt the published vectors R1 (gopay) and R2 (easywechat) to their plaintexts', () => {
      assert.equal(decryptRefundReqInfo(vectors.R1.reqInfo, vectors.R1.apiKey), vectors.R1.plaintext);
      assert.equal(decryptRefundReqInfo(vectors.R2.reqInfo, vectors.R2.apiKey), vectors.R2.plaintext);
    });

    it('should throw with another key (bad padding), never return garbage', () => {
      assert.throws(() => decryptRefundReqInfo(vectors.R1.reqInfo, vectors.R2.apiKey));
    });
  });

  describe('verifyV2RefundNotify()', () => {
    const context = { apiKey: vectors.R1.apiKey, appId: APP_ID, mchId: MCH_ID };

    it('should read the refund of R1: numbers, amounts, SUCCESS with its Beijing success time', () => {
      const verdict = verifyV2RefundNotify(notifyBody(vectors.R1.reqInfo), context);
      assert.equal(verdict.ok, true);
      if (!verdict.ok) return;
      assert.deepEqual(verdict.report, {
        refundNo: '50fd012ed1b311e7af7800163e32c503',
        refundId: '50000404922017112502468056157',
        orderNo: '4893e76d8c8b434cb64e9cd536338e33',
        transactionId: '4200000015201711256947025404',
        total: 6,
        amount: 6,
        state: 'SUCCESS',
        succeededAt: new Date('2017-11-25T07:36:17Z'),
        appId: APP_ID,
        mchId: MCH_ID,
        requestSource: 'API',
      });
    });

    it('should refuse a req_info that does not decrypt with our key', () => {
      const verdict = verifyV2RefundNotify(notifyBody(vectors.R2.reqInfo), context);
      assert.equal(verdict.ok, false);
      assert.equal(!verdict.ok && verdict.code, 'REQ_INFO_INVALID');
    });

    it('should refuse another appid or mch_id before decrypting', () => {
      const appid = verifyV2RefundNotify(notifyBody(vectors.R1.reqInfo, { appid: 'wxsomeoneelse' }), context);
      assert.equal(!appid.ok && appid.code, 'APPID_MISMATCH');
      const mchId = verifyV2RefundNotify(notifyBody(vectors.R1.reqInfo, { mch_id: '999' }), context);
      assert.equal(!mchId.ok && mchId.code, 'MCHID_MISMATCH');
    });

    it('should refuse return_code FAIL, a missing req_info and entity-laden XML', () => {
      assert.equal((verifyV2RefundNotify('<xml><return_code>FAIL</return_code></xml>', context) as { code: string }).code, 'RETURN_FAIL');
      assert.equal((verifyV2RefundNotify(notifyBody(''), context) as { code: string }).code, 'REQ_INFO_INVALID');
      const laden = `<!DOCTYPE x [<!ENTITY a "b">]>${notifyBody(vectors.R1.reqInfo)}`;
      assert.equal((verifyV2RefundNotify(laden, context) as { code: string }).code, 'XML_INVALID');
    });
  });
});
