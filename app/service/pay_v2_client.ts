import { Service } from 'egg';
import { isTimeoutError } from '../lib/http-client-error';
import { createNonce, unixTimestamp } from '../lib/wxpay/nonce';
import { signV2, verifyV2Signature, V2Params } from '../lib/wxpay/v2-sign';
import { buildXml, parseXml } from '../lib/wxpay/xml';
import {
  isTradeState, PrepayRequest, RequestPaymentParams, TradeReport, v2TradeReport, wechatPayError,
} from '../lib/wxpay/gateway';

/** `2026-11-22T10:00:00Z` as v2's yyyyMMddHHmmss in Beijing time. */
function v2Time(date: Date): string {
  return new Date(date.getTime() + 8 * 3600_000).toISOString().replace(/\D/g, '')
    .slice(0, 14);
}

/**
 * Adapter for WeChat Pay API v2 (signed XML over HTTPS). Every reply's
 * signature is checked before anything in it is believed; return_code, then
 * result_code, then err_code become typed errors. Logs name the operation,
 * the order and WeChat's codes, never the key, the sign or the body.
 */
export default class PayV2ClientService extends Service {
  /** unifiedorder with trade_type=JSAPI; returns the prepay_id. */
  async createPrepay(request: PrepayRequest): Promise<string> {
    const reply = await this.call('unifiedorder', '/pay/unifiedorder', {
      body: request.description,
      out_trade_no: request.orderNo,
      total_fee: request.amount,
      spbill_create_ip: request.clientIp,
      notify_url: this.config.wxpay.notifyUrl,
      trade_type: 'JSAPI',
      openid: request.openid,
      time_expire: v2Time(request.expiresAt),
    }, request.orderNo);
    if (!reply.prepay_id) throw wechatPayError('NO_PREPAY_ID', 'unifiedorder answered without prepay_id');
    return reply.prepay_id;
  }

  /** wx.requestPayment parameters, paySign made with the configured sign type. */
  buildPaymentParams(prepayId: string): RequestPaymentParams {
    const { apiKey, signType } = this.config.wxpay;
    const params = {
      appId: this.config.wechat.appId,
      timeStamp: unixTimestamp(),
      nonceStr: createNonce(),
      package: `prepay_id=${prepayId}`,
      signType,
    };
    return { ...params, paySign: signV2(params, apiKey, signType) };
  }

  /** orderquery by out_trade_no. */
  async queryTrade(orderNo: string): Promise<TradeReport> {
    let reply: Record<string, string>;
    try {
      reply = await this.call('orderquery', '/pay/orderquery', { out_trade_no: orderNo }, orderNo);
    } catch (err) {
      if ((err as { errCode?: string }).errCode === 'ORDERNOTEXIST') return { orderNo, state: 'NOT_FOUND' };
      throw err;
    }
    if (!isTradeState(reply.trade_state)) {
      throw wechatPayError('BAD_TRADE_STATE', `orderquery answered trade_state ${reply.trade_state}`);
    }
    return v2TradeReport(reply, reply.trade_state);
  }

  /** closeorder; an order WeChat never saw or already closed counts as closed. */
  async closeTrade(orderNo: string): Promise<void> {
    try {
      await this.call('closeorder', '/pay/closeorder', { out_trade_no: orderNo }, orderNo);
    } catch (err) {
      const errCode = (err as { errCode?: string }).errCode;
      if (errCode === 'ORDERCLOSED' || errCode === 'ORDERNOTEXIST') return;
      throw err;
    }
  }

  private async call(operation: string, path: string, fields: V2Params, orderNo: string): Promise<Record<string, string>> {
    const { apiBase, apiKey, signType, mchId, timeoutMs } = this.config.wxpay;
    const params: V2Params = {
      appid: this.config.wechat.appId,
      mch_id: mchId,
      nonce_str: createNonce(),
      // MD5 is v2's default; name the sign type only when it is not.
      sign_type: signType === 'MD5' ? undefined : signType,
      ...fields,
    };
    params.sign = signV2(params, apiKey, signType);

    const started = Date.now();
    let status: number;
    let text: string;
    try {
      const res = await this.ctx.curl<string>(`${apiBase}${path}`, {
        method: 'POST',
        content: buildXml(params),
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        dataType: 'text',
        timeout: timeoutMs,
      });
      status = res.status;
      text = res.data;
    } catch (err) {
      const timeout = isTimeoutError(err);
      this.logger.warn('[PayV2Client.%s:failed] orderNo: %s, durationMs: %d, error: %s',
        operation, orderNo, Date.now() - started, timeout ? 'timeout' : (err as Error).name);
      throw wechatPayError(timeout ? 'TIMEOUT' : 'UNREACHABLE', 'no answer');
    }
    if (status >= 500) {
      this.logger.warn('[PayV2Client.%s:http] orderNo: %s, status: %d', operation, orderNo, status);
      throw wechatPayError('HTTP_5XX', `HTTP ${status}`);
    }
    let reply: Record<string, string>;
    try {
      reply = parseXml(text);
    } catch {
      this.logger.warn('[PayV2Client.%s:xml] orderNo: %s, status: %d', operation, orderNo, status);
      throw wechatPayError('BAD_RESPONSE', 'the answer is not valid XML');
    }
    if (reply.return_code !== 'SUCCESS') {
      // Communication-level failure: WeChat does not sign these.
      this.logger.warn('[PayV2Client.%s:return] orderNo: %s, return_msg: %s', operation, orderNo, reply.return_msg);
      throw wechatPayError('RETURN_FAIL', reply.return_msg ?? 'return_code FAIL');
    }
    if (!verifyV2Signature(reply, apiKey, signType)) {
      this.logger.error('[PayV2Client.%s:signature] orderNo: %s: reply signature does not verify', operation, orderNo);
      throw wechatPayError('BAD_SIGNATURE', 'the answer is not signed by WeChat Pay');
    }
    this.logger.info('[PayV2Client.%s] orderNo: %s, result_code: %s, err_code: %s, durationMs: %d',
      operation, orderNo, reply.result_code, reply.err_code ?? '-', Date.now() - started);
    if (reply.result_code !== 'SUCCESS') {
      throw wechatPayError(reply.err_code ?? 'RESULT_FAIL', reply.err_code_des ?? 'result_code FAIL');
    }
    return reply;
  }
}
