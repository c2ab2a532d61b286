import { createHash } from 'node:crypto';
import { FaultInjector } from './faults';
import { json, SandboxReply, SandboxRequest, sleep } from './http';

// A code is `<user>` or `<user>.<anything>`: every code of one user gives the
// same openid, as real wx.login codes do. Codes starting with `invalid` and
// codes outside this alphabet are rejected like forged ones (40029).
const CODE_PATTERN = /^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64})?$/;

/** The openid the sandbox gives a user of an app: 28 characters, like WeChat's. */
export function sandboxOpenid(appId: string, code: string): string {
  const user = code.split('.')[0];
  const digest = createHash('sha256').update(`${appId}:${user}`).digest('base64url');
  return `o${digest.slice(0, 27)}`;
}

/** GET /sns/jscode2session, as api.weixin.qq.com answers it (JSON served as text/plain). */
export class Code2SessionSimulator {
  private readonly usedCodes = new Set<string>();

  constructor(
    private readonly appId: string,
    private readonly secret: string,
    private readonly faults: FaultInjector,
  ) {}

  async handle(request: SandboxRequest): Promise<SandboxReply> {
    const reply = (body: Record<string, unknown>) => json(200, body, 'text/plain');
    const fault = this.faults.take('jscode2session');
    if (fault?.kind === 'HTTP_500') return { status: 500, body: 'Internal Server Error' };
    if (fault?.kind === 'BUSY' || fault?.kind === 'SYSTEMERROR') {
      return reply({ errcode: -1, errmsg: 'system error, rid: sandbox' });
    }
    if (fault?.kind === 'DELAY') await sleep(fault.delayMs ?? 0);

    const { query } = request;
    if (query.get('appid') !== this.appId) return reply({ errcode: 40013, errmsg: 'invalid appid' });
    if (query.get('secret') !== this.secret) return reply({ errcode: 40125, errmsg: 'invalid appsecret' });
    if (query.get('grant_type') !== 'authorization_code') {
      return reply({ errcode: 40002, errmsg: 'invalid grant_type' });
    }
    const code = query.get('js_code') ?? '';
    if (!CODE_PATTERN.test(code) || code.startsWith('invalid')) {
      return reply({ errcode: 40029, errmsg: 'invalid code' });
    }
    if (this.usedCodes.has(code)) return reply({ errcode: 40163, errmsg: 'code been used' });
    this.usedCodes.add(code);
    const openid = sandboxOpenid(this.appId, code);
    const sessionDigest = createHash('sha256').update(`session:${code}`).digest('base64');
    const sessionKey = sessionDigest.slice(0, 24);
    return reply({ openid, session_key: sessionKey });
  }
}
