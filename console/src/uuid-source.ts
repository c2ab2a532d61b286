import { uuidFromBytes } from './lib/uuid';

/** A fresh Idempotency-Key: crypto.randomUUID() where the browser has it (secure contexts), else from getRandomValues. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return uuidFromBytes(crypto.getRandomValues(new Uint8Array(16)));
}
