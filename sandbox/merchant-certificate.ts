import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { caCertificatePem, caPrivateKeyPem } from './tls-fixtures';

// WeChat's merchant API certificates (apiclient_cert.pem) are valid for five years.
const VALIDITY_DAYS = 5 * 365;
// mch_id goes into an openssl -subj string, where `/` and `=` have meaning.
const MCH_ID = /^[0-9A-Za-z_-]{1,32}$/;
const EXTENSIONS = [
  'basicConstraints = critical, CA:FALSE',
  'keyUsage = critical, digitalSignature, keyEncipherment',
  // A client certificate: the TLS server checks this purpose when it asks for one.
  'extendedKeyUsage = clientAuth',
  'subjectKeyIdentifier = hash',
  'authorityKeyIdentifier = keyid',
].join('\n');

/**
 * The merchant API client certificate (apiclient_cert.pem) for the merchant's
 * key, as WeChat issues it: CN = mch_id, signed by the sandbox's test CA
 * (WeChat's own CA in production), so the simulator's TLS listener accepts it
 * on /secapi. Synchronous because the configuration that needs it is built
 * synchronously; node:crypto cannot issue certificates, so the openssl CLI
 * does, in a private temporary directory removed straight after (it holds
 * the merchant's key for a moment).
 */
export function issueMerchantCertificate(merchantPrivateKeyPem: string, mchId: string): string {
  if (!MCH_ID.test(mchId)) throw new Error(`not a mch_id the sandbox can certify: ${JSON.stringify(mchId)}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'wxpay-sandbox-apiclient-'));
  try {
    const file = (name: string) => path.join(dir, name);
    writeFileSync(file('key.pem'), merchantPrivateKeyPem, { mode: 0o600 });
    writeFileSync(file('ca.pem'), caCertificatePem());
    writeFileSync(file('ca-key.pem'), caPrivateKeyPem(), { mode: 0o600 });
    writeFileSync(file('ext.cnf'), `${EXTENSIONS}\n`);
    const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe', timeout: 10_000 });
    openssl([
      'req', '-new', '-sha256',
      '-key', file('key.pem'),
      '-subj', `/C=CN/ST=Guangdong/L=Shenzhen/O=wxpay-merchant sandbox/OU=sandbox merchant/CN=${mchId}`,
      '-out', file('csr.pem'),
    ]);
    openssl([
      'x509', '-req', '-sha256',
      '-in', file('csr.pem'),
      '-CA', file('ca.pem'),
      '-CAkey', file('ca-key.pem'),
      // Random, positive (a first digit of 1-7) and well under RFC 5280's 20 bytes.
      '-set_serial', `0x${randomInt(1, 8)}${randomBytes(15).toString('hex')}`,
      '-days', String(VALIDITY_DAYS),
      '-extfile', file('ext.cnf'),
      '-out', file('cert.pem'),
    ]);
    return readFileSync(file('cert.pem'), 'utf8');
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`the sandbox could not issue the merchant API certificate (is openssl installed?): ${stderr || (err as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
