import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';

/**
 * The `req_info` of a v2 refund notify ("退款结果通知", 解密方式): base64 of
 * AES-256-ECB with PKCS#7 padding, whose 32-byte key is the lower-case hex
 * MD5 of the merchant's v2 API key, the 32 hex characters taken as bytes.
 * ECB has no IV. The notify itself carries no `sign`: being able to decrypt
 * is what proves it came from WeChat.
 */
function reqInfoKey(apiKey: string): Buffer {
  if (!apiKey) throw new TypeError('req_info needs the v2 API key');
  // Node's hex is already lower-case, which is the form WeChat specifies.
  const hexDigest = createHash('md5').update(apiKey, 'utf8').digest('hex');
  return Buffer.from(hexDigest, 'utf8');
}

export function encryptReqInfo(plaintext: string, apiKey: string): string {
  // Node pads with PKCS#7 by default, a whole block of 16 when the text fills its last block.
  const cipher = createCipheriv('aes-256-ecb', reqInfoKey(apiKey), null);
  return Buffer.concat([ cipher.update(plaintext, 'utf8'), cipher.final() ]).toString('base64');
}

export function decryptReqInfo(reqInfo: string, apiKey: string): string {
  const decipher = createDecipheriv('aes-256-ecb', reqInfoKey(apiKey), null);
  return Buffer.concat([ decipher.update(Buffer.from(reqInfo, 'base64')), decipher.final() ]).toString('utf8');
}
