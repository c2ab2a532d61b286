import { Service } from 'egg';
import { createWriteStream } from 'node:fs';
import { v2BillDate } from '../lib/bill-day';
import { createNonce, unixTimestamp } from '../lib/wxpay/nonce';
import { signV2, verifyV2Signature, V2Params } from '../lib/wxpay/v2-sign';
import { buildXml, parseXml } from '../lib/wxpay/xml';
import {
  isGzipMagic, isTradeState, PrepayRequest, RequestPaymentParams, TradeBillDownload, TradeReport, v2TradeReport,
} from '../lib/wxpay/gateway';
import { formatV2Time } from '../lib/wxpay/time';
import { parseV2RefundTime, RefundReport, RefundRequest, v2Fen, v2RefundState } from '../lib/wxpay/refund';
import { readErrorBody, readFileHead } from '../upstream/bill-file';
import { callUpstream, HttpClient, RawReply } from '../upstream/request';
import { errCodeOf, wechatPayError } from '../upstream/wechatpay-errors';

type V2Reply = Record<string, string>;

// A bill of a million rows is tens of megabytes of gzip: its download may take far longer than a call.
const BILL_DOWNLOAD_TIMEOUT_MS = 5 * 60_000;
// downloadbill's failure messages (pay.weixin.qq.com/doc/v2/merchant/4011985040); the docs also spell the first "NO Bill Exist".
const NO_BILL = /^no bill exist$/i;
const BILL_CREATING = /^bill creating$/i;
const NO_BILL_ERROR_CODE = '20002';

/**
 * Adapter for WeChat Pay API v2 (signed XML over HTTPS). Every reply's
 * signature is checked before anything in it is believed; return_code, then
 * result_code, then err_code become typed errors.
 */
export default class PayV2ClientService extends Service {
  /** unifiedorder with trade_type=JSAPI; returns the prepay_id. */
  async createPrepay(request: PrepayRequest): Promise<string> {
    const reply = await this.request('unifiedorder', '/pay/unifiedorder', {
      body: request.description,
      out_trade_no: request.orderNo,
      total_fee: request.amount,
      spbill_create_ip: request.clientIp,
      notify_url: this.config.wxpay.notifyUrl,
      trade_type: 'JSAPI',
      openid: request.openid,
      time_expire: formatV2Time(request.expiresAt),
    }, request.orderNo);
    if (!reply.prepay_id) throw wechatPayError('NO_PREPAY_ID', 'unifiedorder answered without prepay_id');
    return reply.prepay_id;
  }

  /** wx.requestPayment parameters, paySign made with the configured sign type. */
  buildPaymentParams(prepayId: string): RequestPaymentParams {
    const { apiKey, signType } = this.app.wechatPayCredentials.v2;
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
    let reply: V2Reply;
    try {
      reply = await this.request('orderquery', '/pay/orderquery', { out_trade_no: orderNo }, orderNo);
    } catch (err) {
      if (errCodeOf(err) === 'ORDERNOTEXIST') return { orderNo, state: 'NOT_FOUND' };
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
      await this.request('closeorder', '/pay/closeorder', { out_trade_no: orderNo }, orderNo);
    } catch (err) {
      const errCode = errCodeOf(err);
      if (errCode === 'ORDERCLOSED' || errCode === 'ORDERNOTEXIST') return;
      throw err;
    }
  }

  /**
   * /secapi/pay/refund, over TLS presenting the merchant API client
   * certificate. total_fee is always the original transaction's total.
   */
  async refund(request: RefundRequest): Promise<RefundReport> {
    const reply = await this.request('refund', '/secapi/pay/refund', {
      transaction_id: request.transactionId,
      out_refund_no: request.refundNo,
      total_fee: request.total,
      refund_fee: request.amount,
      refund_desc: request.reason || undefined,
      notify_url: request.notifyUrl,
    }, request.refundNo, this.app.wechatPayCredentials.clientTlsAgent);
    if (reply.out_refund_no !== request.refundNo) throw wechatPayError('BAD_RESPONSE', 'refund answered about another refund');
    return {
      refundNo: request.refundNo,
      refundId: reply.refund_id || undefined,
      orderNo: reply.out_trade_no || undefined,
      transactionId: reply.transaction_id || undefined,
      total: v2Fen(reply.total_fee),
      amount: v2Fen(reply.refund_fee),
      // result_code SUCCESS only means "accepted": the outcome comes by notify or query.
      state: 'PROCESSING',
      appId: reply.appid,
      mchId: reply.mch_id,
    };
  }

  /** /pay/refundquery by out_refund_no: its refund is one of the `_$n` groups of the answer. */
  async queryRefund(refundNo: string): Promise<RefundReport | 'NOT_FOUND'> {
    let reply: V2Reply;
    try {
      reply = await this.request('refundquery', '/pay/refundquery', { out_refund_no: refundNo }, refundNo);
    } catch (err) {
      if (errCodeOf(err) === 'REFUNDNOTEXIST') return 'NOT_FOUND';
      throw err;
    }
    const count = v2Fen(reply.refund_count) ?? 0;
    for (let n = 0; n < count; n++) {
      if (reply[`out_refund_no_${n}`] !== refundNo) continue;
      const state = v2RefundState(reply[`refund_status_${n}`]);
      if (!state) throw wechatPayError('BAD_REFUND_STATE', `refundquery answered refund_status ${reply[`refund_status_${n}`]}`);
      return {
        refundNo,
        refundId: reply[`refund_id_${n}`] || undefined,
        orderNo: reply.out_trade_no || undefined,
        transactionId: reply.transaction_id || undefined,
        total: v2Fen(reply.total_fee),
        amount: v2Fen(reply[`refund_fee_${n}`]),
        state,
        succeededAt: state === 'SUCCESS' ? parseV2RefundTime(reply[`refund_success_time_${n}`]) : undefined,
        appId: reply.appid,
        mchId: reply.mch_id,
      };
    }
    throw wechatPayError('BAD_RESPONSE', 'refundquery answered without the refund asked about');
  }

  /**
   * /pay/downloadbill of a Beijing day, ALL rows, GZIP, streamed into `file`.
   * Its success is raw gzip bytes and its failure plain XML (even though GZIP
   * was asked), neither signed: the file's first bytes tell them apart, not
   * the headers. "No Bill Exist" is an empty day, "Bill Creating" a bill not
   * made yet.
   */
  async downloadTradeBill(date: string, file: string): Promise<TradeBillDownload> {
    const { apiBase, timeoutMs } = this.config.wxpay;
    const params = this.signedParams({ bill_date: v2BillDate(date), bill_type: 'ALL', tar_type: 'GZIP' });
    const out = createWriteStream(file);
    // A call that failed before the reply came never closes the file: close it whatever happened.
    return callUpstream<TradeBillDownload>(this.ctx.curl.bind(this.ctx) as HttpClient, this.logger, {
      upstream: 'wechatpay.v2',
      operation: 'downloadbill',
      ref: date,
      url: `${apiBase}/pay/downloadbill`,
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      content: buildXml(params),
      timeoutMs,
      responseTimeoutMs: Math.max(timeoutMs, BILL_DOWNLOAD_TIMEOUT_MS),
      writeStream: out,
      transportError: failure => wechatPayError(failure, 'no answer'),
      read: async reply => {
        if (reply.status >= 500) throw wechatPayError('HTTP_5XX', `HTTP ${reply.status}`);
        const head = await readFileHead(file, 64);
        if (isGzipMagic(head)) return { value: { state: 'READY', gzip: true }, code: 'GZIP' };
        const text = (await readErrorBody(file)).trimStart();
        // Not gzip and not XML: the bill as plain text (WeChat ignored tar_type); the parser judges it.
        if (!text.startsWith('<')) return { value: { state: 'READY', gzip: false }, code: 'TEXT' };
        let failure: V2Reply;
        try {
          failure = parseXml(text);
        } catch {
          throw wechatPayError('BAD_RESPONSE', 'downloadbill answered neither a bill nor valid XML');
        }
        const message = (failure.return_msg ?? '').trim();
        if (NO_BILL.test(message) || failure.error_code === NO_BILL_ERROR_CODE) return { value: { state: 'EMPTY' }, code: 'NO_BILL' };
        if (BILL_CREATING.test(message)) return { value: { state: 'CREATING' }, code: 'BILL_CREATING' };
        // SYSTEMERROR is worth retrying; anything else (SIGN ERROR, invalid bill_date, …) is a refusal named by its message.
        throw wechatPayError(message === 'SYSTEMERROR' ? 'SYSTEMERROR' : 'RETURN_FAIL', message || 'downloadbill failed');
      },
    }, this.app.metrics.upstreamCalled).finally(() => out.destroy());
  }

  /** The common fields and the signature of a v2 request. */
  private signedParams(fields: V2Params): V2Params {
    const { mchId } = this.config.wxpay;
    const { apiKey, signType } = this.app.wechatPayCredentials.v2;
    const params: V2Params = {
      appid: this.config.wechat.appId,
      mch_id: mchId,
      nonce_str: createNonce(),
      // MD5 is v2's default; name the sign type only when it is not.
      sign_type: signType === 'MD5' ? undefined : signType,
      ...fields,
    };
    params.sign = signV2(params, apiKey, signType);
    return params;
  }

  /** One signed call; the reply is believed only once its signature verifies. */
  private request(operation: string, path: string, fields: V2Params, orderNo: string, httpsAgent?: unknown): Promise<V2Reply> {
    const { apiBase, timeoutMs } = this.config.wxpay;
    const { apiKey, signType } = this.app.wechatPayCredentials.v2;
    const params = this.signedParams(fields);
    return callUpstream<V2Reply>(this.ctx.curl.bind(this.ctx) as HttpClient, this.logger, {
      upstream: 'wechatpay.v2',
      operation,
      ref: orderNo,
      url: `${apiBase}${path}`,
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      content: buildXml(params),
      timeoutMs,
      httpsAgent,
      transportError: failure => wechatPayError(failure, 'no answer'),
      read: (reply: RawReply) => {
        if (reply.status >= 500) throw wechatPayError('HTTP_5XX', `HTTP ${reply.status}`);
        let fieldsIn: V2Reply;
        try {
          fieldsIn = parseXml(reply.text);
        } catch {
          throw wechatPayError('BAD_RESPONSE', 'the answer is not valid XML');
        }
        // Communication-level failure: WeChat does not sign these.
        if (fieldsIn.return_code !== 'SUCCESS') throw wechatPayError('RETURN_FAIL', fieldsIn.return_msg ?? 'return_code FAIL');
        if (!verifyV2Signature(fieldsIn, apiKey, signType)) {
          this.logger.error('[PayV2Client.%s:signature] orderNo: %s: reply signature does not verify', operation, orderNo);
          throw wechatPayError('BAD_SIGNATURE', 'the answer is not signed by WeChat Pay');
        }
        if (fieldsIn.result_code !== 'SUCCESS') {
          throw wechatPayError(fieldsIn.err_code ?? 'RESULT_FAIL', fieldsIn.err_code_des ?? 'result_code FAIL');
        }
        return { value: fieldsIn, code: fieldsIn.result_code };
      },
    }, this.app.metrics.upstreamCalled);
  }
}
