import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// WeChat Pay platform certificates are valid for five years.
const VALIDITY_DAYS = 5 * 365;
const SUBJECT = '/C=CN/O=wxpay-merchant sandbox/CN=WeChat Pay platform certificate (sandbox)';

export interface SandboxCertificate {
  serial: string;
  pem: string;
  notBefore: Date;
  notAfter: Date;
}

/**
 * A self-signed X.509 certificate for the simulated WeChat Pay's key, as the
 * platform certificate /v3/certificates hands out. node:crypto cannot issue
 * certificates, so the openssl CLI does; the key only ever sits in a private
 * temporary directory that is removed straight after.
 */
export async function issueSandboxCertificate(privateKeyPem: string, serialHex: string): Promise<SandboxCertificate> {
  const dir = await mkdtemp(path.join(tmpdir(), 'wxpay-sandbox-cert-'));
  try {
    const keyPath = path.join(dir, 'key.pem');
    const certPath = path.join(dir, 'cert.pem');
    await writeFile(keyPath, privateKeyPem, { mode: 0o600 });
    await run('openssl', [
      'req', '-x509', '-new', '-sha256',
      '-key', keyPath,
      '-subj', SUBJECT,
      '-days', String(VALIDITY_DAYS),
      '-set_serial', `0x${serialHex}`,
      '-out', certPath,
    ], { timeout: 10_000 });
    const pem = await readFile(certPath, 'utf8');
    const cert = new X509Certificate(pem);
    return { serial: cert.serialNumber.toUpperCase(), pem, notBefore: new Date(cert.validFrom), notAfter: new Date(cert.validTo) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
