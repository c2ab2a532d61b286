import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { verifyV2Signature } from '../../app/lib/wxpay/v2-sign';
import { buildXml, parseXml } from '../../app/lib/wxpay/xml';
import { generateRsaKeyPair, SANDBOX_API_KEY, SANDBOX_MCHID } from '../../sandbox/credentials';
import { issueMerchantCertificate } from '../../sandbox/merchant-certificate';
import { callV2, orderFields, signRequest } from './support';
import {
  callRefundV2,
  MERCHANT_IDENTITY,
  merchantKeys,
  paidTrade,
  postTls,
  RefundSandbox,
  refundFields,
  startRefundSandbox,
  TlsIdentity,
} from './refund-support';

/** A key and a certificate for it that no one in the sandbox's chain signed. */
function selfSignedIdentity(): TlsIdentity {
  const dir = mkdtempSync(path.join(tmpdir(), 'refund-tls-'));
  try {
    const { privateKeyPem } = generateRsaKeyPair();
    writeFileSync(path.join(dir, 'key.pem'), privateKeyPem);
    execFileSync('openssl', [ 'req', '-x509', '-new', '-key', path.join(dir, 'key.pem'), '-subj', `/CN=${SANDBOX_MCHID}`, '-days', '1',
      '-out', path.join(dir, 'cert.pem') ], { stdio: 'pipe' });
    return { key: privateKeyPem, cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('test/sandbox/refund-tls.test.ts', () => {
  let running: RefundSandbox;

  before(async () => {
    running = await startRefundSandbox();
  });

  after(async () => {
    await running.close();
  });

  it('should serve every sandbox path over TLS with a certificate the test CA signed for 127.0.0.1', async () => {
    // fetch trusts the CA only through NODE_EXTRA_CA_CERTS: no certificate check is turned off here.
    const reply = await callV2(running.tlsOrigin, 'unifiedorder', orderFields());
    assert.equal(reply.fields.result_code, 'SUCCESS', reply.text);
    assert.ok(verifyV2Signature(reply.fields, SANDBOX_API_KEY, 'MD5'));
    const faults = await fetch(`${running.tlsOrigin}/sandbox/control/faults`);
    assert.equal(faults.status, 200);
    const outside = await fetch(`${running.tlsOrigin}/api/orders`);
    assert.equal(outside.status, 404);
  });

  it('should not need a client certificate for the refund query', async () => {
    const reply = await postTls(`${running.tlsOrigin}/sandbox/pay/pay/refundquery`, buildXml(signRequest({
      appid: orderFields().appid, mch_id: SANDBOX_MCHID, out_refund_no: 'NO_SUCH_REFUND',
    })));
    assert.equal(reply.fields.err_code, 'REFUNDNOTEXIST', reply.text);
  });

  describe('/secapi/pay/refund', () => {
    it('should drop the connection of a client without a certificate, with no HTTP reply', async () => {
      const { outTradeNo } = await paidTrade(running.origin);
      await assert.rejects(callRefundV2(running.tlsOrigin, refundFields(outTradeNo), 'MD5', null),
        (err: NodeJS.ErrnoException) => [ 'ECONNRESET', 'EPIPE' ].includes(err.code ?? '') || /socket hang up/.test(err.message));
      assert.deepEqual(running.sandbox.refunds.ofTrade(outTradeNo), []);
    });

    it('should drop the connection of a client whose certificate the test CA did not sign', async () => {
      const { outTradeNo } = await paidTrade(running.origin);
      await assert.rejects(callRefundV2(running.tlsOrigin, refundFields(outTradeNo), 'MD5', selfSignedIdentity()),
        (err: NodeJS.ErrnoException) => [ 'ECONNRESET', 'EPIPE' ].includes(err.code ?? '') || /socket hang up/.test(err.message));
      assert.deepEqual(running.sandbox.refunds.ofTrade(outTradeNo), []);
    });

    it("should answer certificate not match to another merchant's certificate from the same CA", async () => {
      const { outTradeNo } = await paidTrade(running.origin);
      const stranger = generateRsaKeyPair().privateKeyPem;
      const foreign = { key: stranger, cert: issueMerchantCertificate(stranger, SANDBOX_MCHID) };
      const reply = await callRefundV2(running.tlsOrigin, refundFields(outTradeNo), 'MD5', foreign);
      assert.equal(reply.status, 200);
      assert.deepEqual({ ...reply.fields }, { return_code: 'FAIL', return_msg: 'certificate not match' });
      assert.deepEqual(running.sandbox.refunds.ofTrade(outTradeNo), []);
    });

    it("should answer certificate not match to a certificate of the merchant's key that names another mch_id", async () => {
      const { outTradeNo } = await paidTrade(running.origin);
      const otherMchId = { key: merchantKeys.privatePem, cert: issueMerchantCertificate(merchantKeys.privatePem, '1900000002') };
      const reply = await callRefundV2(running.tlsOrigin, refundFields(outTradeNo), 'MD5', otherMchId);
      assert.equal(reply.fields.return_msg, 'certificate not match', reply.text);
    });

    it('should answer certificate not match over plain HTTP, where no certificate can come', async () => {
      const { outTradeNo } = await paidTrade(running.origin);
      const response = await fetch(`${running.origin}/sandbox/pay/secapi/pay/refund`, {
        method: 'POST', headers: { 'content-type': 'text/xml' }, body: buildXml(signRequest(refundFields(outTradeNo))),
      });
      assert.equal(response.status, 200);
      assert.deepEqual({ ...parseXml(await response.text()) }, { return_code: 'FAIL', return_msg: 'certificate not match' });
    });

    it("should accept the merchant's own certificate", async () => {
      const { outTradeNo } = await paidTrade(running.origin);
      const reply = await callRefundV2(running.tlsOrigin, refundFields(outTradeNo), 'MD5', MERCHANT_IDENTITY);
      assert.equal(reply.fields.result_code, 'SUCCESS', reply.text);
    });
  });
});
