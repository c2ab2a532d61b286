import type { X509Certificate } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';

/** What a sandbox route answers. */
export interface SandboxReply {
  status: number;
  headers?: Record<string, string>;
  /** text, or bytes for what WeChat sends as a file (gzipped bills) */
  body: string | Buffer;
}

/** A request as sandbox routes see it: the raw body bytes, so signatures can be checked over them. */
export interface SandboxRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  /** the TLS client certificate, when it chained to the sandbox CA; never over plain HTTP */
  clientCertificate?: X509Certificate;
  /** `http(s)://host:port` the request came to: where links the sandbox hands out must point */
  origin?: string;
}

/** What the connection tells about the caller beyond the request itself. */
export interface SandboxTransport {
  clientCertificate?: X509Certificate;
}

const BODY_LIMIT = 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new Error('request body over 1 MB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendReply(res: ServerResponse, reply: SandboxReply): void {
  res.writeHead(reply.status, { 'content-length': Buffer.byteLength(reply.body), ...reply.headers });
  res.end(reply.body);
}

export function json(status: number, value: unknown, contentType = 'application/json'): SandboxReply {
  return { status, headers: { 'content-type': contentType }, body: JSON.stringify(value) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** A JSON object body (an empty body is `{}`); undefined when the body is not a JSON object. */
export function parseJsonBody(body: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body || '{}');
  } catch {
    return undefined;
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
}
