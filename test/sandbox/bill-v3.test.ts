import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SANDBOX_MCHID, SANDBOX_MERCHANT_CERT_SERIAL } from '../../sandbox/credentials';
import { rsaKeyPair } from '../lib/wxpay/v3-fixtures';
import { billText, resetBills, setBillDay } from '../support/bills';
import { control } from './support';
import { assertV3Signed, paidTrade, RefundSandbox, startRefundSandbox } from './refund-support';
import { beijing, getV3, RawReply, wechatpayHeaders } from './bill-support';

const TODAY = '2026-12-06T10:00:00';
const LINK_EXPIRED = '下载链接过期,请重新请求文件下载';

function sha1(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

function assertSigned(reply: RawReply): void {
  assertV3Signed({ status: reply.status, headers: reply.headers, text: reply.text, body: reply.json ?? {} });
}

function assertRefused(reply: RawReply, status: number, code: string, message?: string): void {
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.json?.code, code, reply.text);
  if (message) assert.equal(reply.json?.message, message);
  assertSigned(reply);
}

describe('test/sandbox/bill-v3.test.ts', () => {
  let running: RefundSandbox;
  let now = beijing(TODAY);

  before(async () => {
    running = await startRefundSandbox({ clock: () => now });
  });

  after(async () => {
    await running.close();
  });

  beforeEach(async () => {
    now = beijing(TODAY);
    running.sandbox.faults.clear();
    await resetBills(running.origin);
  });

  const tradeBill = (query: string, origin = running.origin) => getV3(origin, `/v3/bill/tradebill?${query}`);

  /** A day (`YYYY-MM-DD`, before TODAY) with one payment on it. */
  async function dayWithPayment(day: string): Promise<string> {
    now = beijing(`${day}T12:00:00`);
    await paidTrade(running.origin, { api: 'v3' });
    now = beijing(TODAY);
    return day;
  }

  describe('GET /v3/bill/tradebill and its download_url', () => {
    it('should describe the bill (SHA1 of its text, a link on the sandbox) signed, and serve the text unsigned', async () => {
      const day = await dayWithPayment('2026-11-12');
      const described = await tradeBill(`bill_date=${day}&bill_type=ALL`);
      assert.equal(described.status, 200, described.text);
      assertSigned(described);
      const text = await billText(running.origin, day);
      assert.ok(text);
      const { hash_type, hash_value, download_url } = described.json as Record<string, string>;
      assert.equal(hash_type, 'SHA1');
      assert.equal(hash_value, sha1(text));
      assert.match(download_url, new RegExp(`^${running.origin}/sandbox/pay/v3/billdownload/file\\?token=[0-9a-f]+$`));

      const file = await getV3(running.origin, download_url);
      assert.equal(file.status, 200);
      assert.deepEqual(wechatpayHeaders(file), [], 'WeChat does not sign a bill file');
      assert.equal(file.gzip, false);
      assert.equal(file.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(file.text, text);
    });

    it('should link to a gzip file with tar_type=GZIP, hashed uncompressed', async () => {
      const day = await dayWithPayment('2026-11-13');
      const described = await tradeBill(`bill_date=${day}&bill_type=ALL&tar_type=GZIP`);
      const { hash_value, download_url } = described.json as Record<string, string>;
      assert.match(download_url, /&tartype=gzip$/);
      const file = await getV3(running.origin, download_url);
      assert.equal(file.status, 200);
      assert.equal(file.gzip, true, 'gzip magic 1f 8b');
      assert.deepEqual(wechatpayHeaders(file), []);
      assert.equal(sha1(file.text), hash_value);
      assert.equal(file.text, await billText(running.origin, day));
    });

    it('should link back to the origin it was asked on: the TLS one for a merchant on TLS', async () => {
      const day = await dayWithPayment('2026-11-14');
      const described = await tradeBill(`bill_date=${day}`, running.tlsOrigin);
      const { download_url } = described.json as Record<string, string>;
      assert.ok(download_url.startsWith(`${running.tlsOrigin}/sandbox/pay/v3/billdownload/file?token=`), download_url);
      assert.equal((await getV3(running.tlsOrigin, download_url)).text, await billText(running.origin, day));
    });

    it('should answer 401 SIGN_ERROR to a download not signed by the merchant', async () => {
      const day = await dayWithPayment('2026-11-15');
      const { download_url } = (await tradeBill(`bill_date=${day}`)).json as Record<string, string>;
      assertRefused(await getV3(running.origin, download_url, null), 401, 'SIGN_ERROR');
      const stranger = { mchId: SANDBOX_MCHID, serialNo: SANDBOX_MERCHANT_CERT_SERIAL, privateKey: rsaKeyPair('stranger').privateKey };
      assertRefused(await getV3(running.origin, download_url, stranger), 401, 'SIGN_ERROR');
      assert.equal((await getV3(running.origin, download_url)).status, 200, 'a refused download does not spend the link');
    });

    it('should serve a link for 30 s, then answer INVALID_REQUEST 下载链接过期; an unknown token likewise', async () => {
      const day = await dayWithPayment('2026-11-16');
      const { download_url } = (await tradeBill(`bill_date=${day}`)).json as Record<string, string>;
      now += 29_000;
      assert.equal((await getV3(running.origin, download_url)).status, 200);
      assert.equal((await getV3(running.origin, download_url)).status, 200, 'a broken download may be tried again at once');
      now += 1_000;
      assertRefused(await getV3(running.origin, download_url), 400, 'INVALID_REQUEST', LINK_EXPIRED);
      assertRefused(await getV3(running.origin, '/v3/billdownload/file?token=0123456789abcdef'), 400, 'INVALID_REQUEST', LINK_EXPIRED);
      assertRefused(await getV3(running.origin, '/v3/billdownload/file'), 400, 'INVALID_REQUEST', LINK_EXPIRED);
    });

    it('should serve the file the hash describes, even when a payment lands between the two calls', async () => {
      await paidTrade(running.origin);
      const { hash_value, download_url } = (await tradeBill('bill_date=2026-12-06')).json as Record<string, string>;
      const later = await paidTrade(running.origin);
      const file = await getV3(running.origin, download_url);
      assert.equal(sha1(file.text), hash_value);
      assert.ok(!file.text.includes(later.outTradeNo));
      const again = (await tradeBill('bill_date=2026-12-06')).json as Record<string, string>;
      assert.notEqual(again.hash_value, hash_value);
      assert.ok((await getV3(running.origin, again.download_url)).text.includes(later.outTradeNo));
    });
  });

  describe('refusals', () => {
    it('should answer 400 NO_STATEMENT_EXIST for a day without payments or refunds', async () => {
      assertRefused(await tradeBill('bill_date=2026-11-20&bill_type=ALL&tar_type=GZIP'), 400, 'NO_STATEMENT_EXIST', '请求的账单文件不存在');
    });

    it('should answer the day modes: STATEMENT_CREATING, NO_STATEMENT_EXIST, and a hash_value that does not match', async () => {
      const day = await dayWithPayment('2026-11-17');
      await setBillDay(running.origin, day, 'CREATING');
      assertRefused(await tradeBill(`bill_date=${day}`), 400, 'STATEMENT_CREATING', '账单生成中');
      await setBillDay(running.origin, day, 'EMPTY');
      assertRefused(await tradeBill(`bill_date=${day}`), 400, 'NO_STATEMENT_EXIST', '请求的账单文件不存在');

      await setBillDay(running.origin, day, 'WRONG_HASH');
      const described = await tradeBill(`bill_date=${day}&tar_type=GZIP`);
      assert.equal(described.status, 200);
      assertSigned(described);
      const { hash_value, download_url } = described.json as Record<string, string>;
      assert.match(hash_value, /^[0-9a-f]{40}$/);
      const file = await getV3(running.origin, download_url);
      assert.equal(file.text, await billText(running.origin, day), 'the file itself is the day\'s bill');
      assert.notEqual(sha1(file.text), hash_value);

      await setBillDay(running.origin, day, 'NORMAL');
      assert.equal((await tradeBill(`bill_date=${day}`)).json?.hash_value, sha1(file.text));
    });

    it('should answer 400 INVALID_REQUEST for a malformed day, a future day and one more than three months back', async () => {
      for (const billDate of [ '20261112', '2026-11-31', '2026-1-12', '2026-12-07', '2026-09-05' ]) {
        assertRefused(await tradeBill(`bill_date=${billDate}`), 400, 'INVALID_REQUEST');
      }
      assertRefused(await tradeBill('bill_date=2026-09-06'), 400, 'NO_STATEMENT_EXIST');
    });

    it('should answer 400 PARAM_ERROR without bill_date or with an unknown bill_type or tar_type', async () => {
      assertRefused(await tradeBill('bill_type=ALL'), 400, 'PARAM_ERROR');
      assertRefused(await tradeBill('bill_date=2026-11-12&bill_type=EVERYTHING'), 400, 'PARAM_ERROR');
      assertRefused(await tradeBill('bill_date=2026-11-12&tar_type=ZIP'), 400, 'PARAM_ERROR');
      // Types WeChat has and the sandbox does not generate are refused as such, not passed off as empty days.
      assertRefused(await tradeBill('bill_date=2026-11-12&bill_type=SUCCESS'), 400, 'INVALID_REQUEST');
    });

    it('should answer 401 SIGN_ERROR to a tradebill request not signed by the merchant', async () => {
      assertRefused(await getV3(running.origin, '/v3/bill/tradebill?bill_date=2026-11-12', null), 401, 'SIGN_ERROR');
    });

    it('should answer 500 SYSTEM_ERROR when SYSTEMERROR is armed on tradebill', async () => {
      await control(running.origin, 'POST', '/faults', { target: 'tradebill', kind: 'SYSTEMERROR' });
      assertRefused(await tradeBill('bill_date=2026-11-12'), 500, 'SYSTEM_ERROR');
    });
  });
});
