export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_PARAMS: Readonly<ScryptParams>;
export function hashPassword(password: string, params?: Partial<ScryptParams>): Promise<string>;
export function verifyPassword(password: string, stored: string): Promise<boolean>;
export function parsePasswordHash(stored: string): (ScryptParams & { salt: Buffer; key: Buffer }) | null;
