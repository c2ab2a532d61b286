import { randomBytes } from 'node:crypto';

/**
 * WeChat caps nonce_str at 32 characters and asks only that it be random and
 * alphanumeric. Hex is both; it is also what WeChat itself sends in
 * Wechatpay-Nonce. Written apart from the service's nonce on purpose.
 */
const MAX_LENGTH = 32;

/** A random lower-case hex nonce of `length` (1..32) characters. */
export function nonceStr(length = MAX_LENGTH): string {
  if (!Number.isInteger(length) || length < 1 || length > MAX_LENGTH) {
    throw new RangeError(`a nonce has 1 to ${MAX_LENGTH} characters, not ${length}`);
  }
  return randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);
}
