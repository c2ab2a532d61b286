import { Service } from 'egg';
import { isTimeoutError } from '../lib/http-client-error';
import { parseJsonObject } from '../lib/json-object';
import { UnauthorizedError, UpstreamError, UpstreamUnavailableError } from '../lib/api-error';

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
 * Adapter for api.weixin.qq.com (the mini-program side of WeChat).
 * One request() with a time-out and one structured log line per call; the
 * URL (which carries the app secret) and session_key are never logged.
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
    const errcode = reply.errcode ?? 0;
    if (errcode !== 0) {
      if (REJECTED_CODES[errcode]) {
        throw new UnauthorizedError(REJECTED_CODES[errcode], `WeChat rejected the login code (${errcode})`);
      }
      if (BUSY_CODES.has(errcode)) {
        throw new UpstreamUnavailableError('WECHAT_BUSY', 'WeChat is busy, try again');
      }
      throw new UpstreamError('WECHAT_ERROR', `WeChat login failed (${errcode})`);
    }
    if (typeof reply.openid !== 'string' || reply.openid.length === 0 || reply.openid.length > 64) {
      throw new UpstreamError('WECHAT_BAD_RESPONSE', 'WeChat login answered without an openid');
    }
    return { openid: reply.openid, unionid: typeof reply.unionid === 'string' ? reply.unionid : null };
  }

  private async request<T extends { errcode?: number }>(name: string, path: string, query: Record<string, string>): Promise<T> {
    const url = `${this.config.wechat.apiBase}${path}?${new URLSearchParams(query)}`;
    const started = Date.now();
    let status: number;
    let text: string;
    try {
      // Read as text and parse here: jscode2session serves JSON as text/plain,
      // and an error page must be told apart from an unparseable answer.
      const res = await this.ctx.curl<string>(url, {
        method: 'GET',
        dataType: 'text',
        timeout: this.config.wechat.timeoutMs,
      });
      status = res.status;
      text = res.data;
    } catch (err) {
      const timeout = isTimeoutError(err);
      this.logger.warn('[WechatApiService.%s:failed] durationMs: %d, error: %s', name, Date.now() - started,
        timeout ? 'timeout' : (err as Error).name);
      if (timeout) throw new UpstreamUnavailableError('WECHAT_TIMEOUT', 'WeChat did not answer in time');
      throw new UpstreamUnavailableError('WECHAT_UNREACHABLE', 'WeChat could not be reached');
    }
    const data = parseJsonObject(text) as T | undefined;
    this.logger.info('[WechatApiService.%s] status: %d, errcode: %s, durationMs: %d',
      name, status, data?.errcode ?? '-', Date.now() - started);
    if (status >= 500) throw new UpstreamUnavailableError('WECHAT_UNAVAILABLE', `WeChat answered HTTP ${status}`);
    if (status !== 200 || !data) throw new UpstreamError('WECHAT_BAD_RESPONSE', `WeChat answered HTTP ${status} without JSON`);
    return data;
  }
}
