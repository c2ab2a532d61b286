// Key material for WeChat Pay v3: merchant private key, WeChat Pay public key and platform certificates.
// Everything is parsed once into KeyObjects so signing and verification never re-parse PEM.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { decryptResource, EncryptedResource } from './v3-resource';
import { PublicKeyResolver } from './v3-signature';

/** Turns env-style PEM (literal "\n" escapes, CRLF, surrounding quotes or spaces) into plain PEM text. */
function normalizePem(text: string): string {
  return text
    .trim()
    .replace(/^["']|["']$/g, '')
    .trim()
    .replace(/\\r\\n|\\n/g, '\n')
    .replace(/\r\n/g, '\n');
}

/** Returns PEM text from either inline PEM or a file path; errors never echo the input, which may be a key. */
function readPemSource(pemOrPath: string, what: string): string {
  if (typeof pemOrPath !== 'string' || pemOrPath.trim() === '') {
    throw new Error(`${what}: no PEM text or file path given`);
  }
  if (pemOrPath.includes('-----BEGIN')) {
    return normalizePem(pemOrPath);
  }
  try {
    return normalizePem(fs.readFileSync(pemOrPath.trim(), 'utf8'));
  } catch (err) {
    // The fs error message would contain the value, which might be a mangled key, so only keep its code.
    const code = (err as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new Error(`${what}: value is not PEM text and could not be read as a file (${code})`);
  }
}

/** PEM text from inline PEM, escaped PEM or a file path (for TLS options, which take PEM). */
export function loadPemText(pemOrPath: string, what: string): string {
  return readPemSource(pemOrPath, what);
}

/** Throws unless the key is RSA, the only key type WeChat Pay v3 signs and verifies with. */
function assertRsa(key: crypto.KeyObject, what: string): crypto.KeyObject {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new Error(`${what}: expected an RSA key, got ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  return key;
}

/** Loads the merchant RSA private key (apiclient_key.pem) from PEM text, escaped PEM or a file path. */
export function loadPrivateKey(pemOrPath: string): crypto.KeyObject {
  const pem = readPemSource(pemOrPath, 'Merchant private key');
  if (!pem.includes('PRIVATE KEY-----')) {
    throw new Error('Merchant private key: PEM does not contain a PRIVATE KEY block');
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error('Merchant private key: PEM could not be parsed (corrupt, truncated or passphrase-protected)');
  }
  return assertRsa(key, 'Merchant private key');
}

/** Loads an RSA public key from a PUBLIC KEY PEM or a CERTIFICATE PEM, given inline or as a file path. */
export function loadPublicKey(pemOrPath: string): crypto.KeyObject {
  const pem = readPemSource(pemOrPath, 'Public key');
  if (pem.includes('PRIVATE KEY-----')) {
    // createPublicKey would quietly derive a public key, hiding that a secret was put in a public-key setting.
    throw new Error('Public key: PEM holds a private key; give the public key or certificate instead');
  }
  let key: crypto.KeyObject;
  try {
    key = pem.includes('BEGIN CERTIFICATE')
      ? new crypto.X509Certificate(pem).publicKey
      : crypto.createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error('Public key: PEM could not be parsed as a public key or certificate');
  }
  return assertRsa(key, 'Public key');
}

/** Normalizes a certificate serial (hex) so '0a:BC' and 'ABC' compare equal. */
export function normalizeSerial(serial: string): string {
  return serial.replace(/:/g, '').toUpperCase().replace(/^0+(?=.)/, '');
}

export interface PlatformCertificateEntry {
  serial_no: string;
  effective_time: string;
  expire_time: string;
  encrypt_certificate: EncryptedResource;
}

export interface PlatformCertificate {
  /** Serial as WeChat Pay sends it in Wechatpay-Serial (upper-case hex). */
  serial: string;
  publicKey: crypto.KeyObject;
  /** Validity window from the certificate itself, in epoch milliseconds. */
  notBefore: number;
  notAfter: number;
}

/** Decrypts /v3/certificates entries, checks each serial against its X509, and drops expired certificates. */
export function decryptPlatformCertificates(
  data: PlatformCertificateEntry[],
  apiV3Key: string,
  now: number = Date.now(),
): PlatformCertificate[] {
  if (!Array.isArray(data)) {
    throw new Error('Platform certificates: data must be an array');
  }
  const result: PlatformCertificate[] = [];
  for (const entry of data) {
    const pem = decryptResource(entry.encrypt_certificate, apiV3Key);
    let cert: crypto.X509Certificate;
    try {
      cert = new crypto.X509Certificate(pem);
    } catch {
      throw new Error('Platform certificates: decrypted certificate could not be parsed');
    }
    const serial = normalizeSerial(String(entry.serial_no));
    // A mismatch means the list was tampered with or mixed up; trusting it would bind a key to the wrong serial.
    if (normalizeSerial(cert.serialNumber) !== serial) {
      throw new Error('Platform certificates: serial_no does not match the certificate serial');
    }
    // The certificate's own dates are authoritative; effective_time/expire_time are informational copies.
    const notBefore = Date.parse(cert.validFrom);
    const notAfter = Date.parse(cert.validTo);
    if (!Number.isFinite(notBefore) || !Number.isFinite(notAfter)) {
      throw new Error('Platform certificates: certificate validity dates could not be read');
    }
    if (notAfter < now) continue;
    result.push({ serial, publicKey: assertRsa(cert.publicKey, 'Platform certificate'), notBefore, notAfter });
  }
  return result;
}

export interface WechatpayPublicKey {
  /** The 'PUB_KEY_ID_…' value WeChat Pay sends as Wechatpay-Serial in public-key mode. */
  id: string;
  key: crypto.KeyObject;
}

export interface WechatpayKeyStoreOptions {
  publicKey?: WechatpayPublicKey;
  certificates?: PlatformCertificate[];
  /** Clock in epoch milliseconds; injectable for tests. */
  clock?: () => number;
}

/** Resolves Wechatpay-Serial to a verification key: the WeChat Pay public key by id, or a currently valid platform cert. */
export class WechatpayKeyStore implements PublicKeyResolver {
  private readonly publicKey?: WechatpayPublicKey;
  private readonly clock: () => number;
  private certificates: ReadonlyMap<string, PlatformCertificate> = new Map();

  constructor(options: WechatpayKeyStoreOptions = {}) {
    this.publicKey = options.publicKey;
    this.clock = options.clock ?? Date.now;
    if (options.certificates) this.replaceCertificates(options.certificates);
  }

  /** Returns the key for a Wechatpay-Serial value, or undefined if unknown or outside its validity window. */
  get(serial: string): crypto.KeyObject | undefined {
    if (this.publicKey && serial === this.publicKey.id) return this.publicKey.key;
    const cert = this.certificates.get(normalizeSerial(serial));
    if (!cert) return undefined;
    const now = this.clock();
    return now >= cert.notBefore && now <= cert.notAfter ? cert.publicKey : undefined;
  }

  /** Swaps the whole platform certificate set at once; several may be valid together during rotation. */
  replaceCertificates(list: PlatformCertificate[]): void {
    // Build the new map completely before assigning, so readers never see a half-filled set.
    const next = new Map<string, PlatformCertificate>();
    for (const cert of list) {
      next.set(normalizeSerial(cert.serial), cert);
    }
    this.certificates = next;
  }

  /** Lists known serials: the public key id first (if any), then platform certificate serials. */
  serials(): string[] {
    const list = this.publicKey ? [ this.publicKey.id ] : [];
    for (const cert of this.certificates.values()) list.push(cert.serial);
    return list;
  }

  /** Tells whether any platform certificate is loaded (valid or not yet valid). */
  hasCertificates(): boolean {
    return this.certificates.size > 0;
  }
}
