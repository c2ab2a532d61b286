import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

/**
 * A downloaded bill on disk, read in bounded memory: its first bytes (to tell
 * a gzip bill from an XML or JSON error written to the same file), a small
 * error body, and the SHA1 of its decompressed text.
 */

/** Up to `length` bytes from the start of a file. */
export async function readFileHead(file: string, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

// An error reply is a few hundred bytes; this bounds what a wrong file could make us read.
const ERROR_BODY_MAX = 16 * 1024;

/** The start of a file as text: an error reply written where a bill was expected. */
export async function readErrorBody(file: string): Promise<string> {
  return (await readFileHead(file, ERROR_BODY_MAX)).toString('utf8');
}

/** The file's content as a stream of bytes, decompressed when it is gzip. */
export function billContent(file: string, gzip: boolean): NodeJS.ReadableStream {
  const raw = createReadStream(file);
  if (!gzip) return raw;
  const gunzip = createGunzip();
  raw.on('error', err => gunzip.destroy(err));
  return raw.pipe(gunzip);
}

/** SHA1 hex (lowercase) of the file's decompressed content, streamed. */
export async function sha1OfBill(file: string, gzip: boolean): Promise<string> {
  const hash = createHash('sha1');
  for await (const chunk of billContent(file, gzip)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
