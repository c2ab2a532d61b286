// Shared test-only key material for the WeChat Pay v3 tests, generated at run time and cached per process.
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestKeyPair {
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
  privatePem: string;
  publicPem: string;
}

export interface TestCertificate {
  /** Serial as OpenSSL prints it (upper-case hex, no leading zeros). */
  serial: string;
  certPem: string;
  keyPem: string;
  privateKey: crypto.KeyObject;
}

/** A 32-character APIv3 key, the shape the merchant platform issues. */
export const TEST_API_V3_KEY = 'Tc9vQ2mX7pL4wR8zK1nB6yH3dF5gJ0sA';

const keyPairs = new Map<string, TestKeyPair>();
let tempDir: string | undefined;

/** Returns a cached RSA-2048 key pair by name, so each test file pays for key generation once. */
export function rsaKeyPair(name = 'merchant'): TestKeyPair {
  let pair = keyPairs.get(name);
  if (!pair) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    pair = {
      privateKey,
      publicKey,
      privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
    keyPairs.set(name, pair);
  }
  return pair;
}

/** Creates (once per process) a temp directory for files the tests write; removed at process exit. */
export function testTempDir(): string {
  if (!tempDir) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxpay-v3-test-'));
    tempDir = dir;
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return tempDir;
}

/** Generates a self-signed RSA-2048 certificate with the given hex serial via the openssl CLI. */
export function selfSignedCertificate(serialHex: string, days = 2): TestCertificate {
  const dir = testTempDir();
  const keyPath = path.join(dir, `${serialHex}.key.pem`);
  const certPath = path.join(dir, `${serialHex}.cert.pem`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
    '-subj', '/CN=wxpay-v3-test',
    '-days', String(days),
    '-set_serial', `0x${serialHex}`,
    '-keyout', keyPath,
    '-out', certPath,
  ], { stdio: 'pipe' });
  const keyPem = fs.readFileSync(keyPath, 'utf8');
  return {
    serial: serialHex.toUpperCase().replace(/^0+(?=.)/, ''),
    certPem: fs.readFileSync(certPath, 'utf8'),
    keyPem,
    privateKey: crypto.createPrivateKey(keyPem),
  };
}
