import { Service } from 'egg';
import { parseJsonObject } from '../lib/json-object';
import { UnauthorizedError, UpstreamError, UpstreamUnavailableError } from '../lib/api-error';
import { callUpstream, HttpClient } from '../upstream/request';

/** What the service keeps of a code2Session answer; session_key is deliberately not part of it. */
export interface WechatSession {
  openid: string;
  unionid: string | null;
}

interface Code2SessionReply {
  openid?: string;
  unionid?: string;
  session_key?: string;
  errcode?: number;
  errmsg?: string;
}

// errcodes that mean "this code is no good", as opposed to "WeChat is unwell"
const REJECTED_CODES: Record<number, string> = {
  40029: 'WECHAT_CODE_INVALID',
  40163: 'WECHAT_CODE_USED',
};
const BUSY_CODES = new Set([ -1, 45011 ]);

/**
 * Adapter for api.weixin.qq.com (the mini-program side of WeChat). The URL
 * (which carries the app secret) and session_key are never logged.
 */
export default class WechatApiService extends Service {
  /** Exchanges a wx.login code for the user's openid. */
  async code2Session(code: string): Promise<WechatSession> {
    const { appId, secret } = this.config.wechat;
    const reply = await this.request<Code2SessionReply>('code2Session', '/sns/jscode2session', {
      appid: appId,
      secret,
      js_code: code,
      grant_type: 'authorization_code',
    });
    if (typeof reply.openid !== 'string' || reply.openid.length === 0 || reply.openid.length > 64) {
      throw new UpstreamError('WECHAT_BAD_RESPONSE', 'WeChat login answered without an openid');
    }
    return { openid: reply.openid, unionid: typeof reply.unionid === 'string' ? reply.unionid : null };
  }

  /** One GET whose JSON answer has no errcode (or 0); WeChat's errcodes become typed errors. */
  private request<T extends { errcode?: number }>(operation: string, path: string, query: Record<string, string>): Promise<T> {
    const { apiBase, timeoutMs } = this.config.wechat;
    return callUpstream<T>(this.ctx.curl.bind(this.ctx) as HttpClient, this.logger, {
      upstream: 'wechat',
      operation,
      ref: '-',
      url: `${apiBase}${path}?${new URLSearchParams(query)}`,
      method: 'GET',
      timeoutMs,
      transportError: failure => (failure === 'TIMEOUT'
        ? new UpstreamUnavailableError('WECHAT_TIMEOUT', 'WeChat did not answer in time')
        : new UpstreamUnavailableError('WECHAT_UNREACHABLE', 'WeChat could not be reached')),
      read: reply => {
        if (reply.status >= 500) throw new UpstreamUnavailableError('WECHAT_UNAVAILABLE', `WeChat answered HTTP ${reply.status}`);
        // Parsed here, not by the HTTP client: jscode2session serves JSON as text/plain.
        const data = parseJsonObject(reply.text) as T | undefined;
        if (reply.status !== 200 || !data) throw new UpstreamError('WECHAT_BAD_RESPONSE', `WeChat answered HTTP ${reply.status} without JSON`);
        const errcode = data.errcode ?? 0;
        if (errcode !== 0) {
          if (REJECTED_CODES[errcode]) throw new UnauthorizedError(REJECTED_CODES[errcode], `WeChat rejected the login code (${errcode})`);
          if (BUSY_CODES.has(errcode)) throw new UpstreamUnavailableError('WECHAT_BUSY', 'WeChat is busy, try again');
          throw new UpstreamError('WECHAT_ERROR', `WeChat login failed (${errcode})`);
        }
        return { value: data, code: '0' };
      },
    }, this.app.metrics.upstreamCalled);
  }
}
