import { FOREIGN_APPID, FOREIGN_MCHID } from './credentials';
import { Fault, FaultInjector } from './faults';
import { SandboxReply, SandboxRequest, sleep } from './http';
import { Trade, TradeState, TradeStore } from './trade-store';
import { businessFailure, readV2Request, signedReply, V2Merchant } from './v2-message';
import { parseUnifiedOrder } from './v2-unifiedorder-params';
import type { V2SignType } from './wechat/v2-sign';
import type { XmlFields } from './wechat/xml';

export const V2_OPERATIONS = [ 'unifiedorder', 'orderquery', 'closeorder' ] as const;

/** A Pay API v2 operation; also its fault-injection target. */
export type V2Operation = typeof V2_OPERATIONS[number];

/** An operation's answer: business fields (result_code SUCCESS) or a WeChat err_code. */
type Outcome = { fields: XmlFields } | { errCode: string; errCodeDes: string };

const TRADE_STATE_DESC: Record<TradeState, string> = {
  SUCCESS: '支付成功',
  NOTPAY: '订单未支付',
  CLOSED: '订单已关闭',
  PAYERROR: '支付失败，请重新下单支付',
  USERPAYING: '需要用户输入支付密码',
};

const ORDER_NOT_EXIST: Outcome = { errCode: 'ORDERNOTEXIST', errCodeDes: '此交易订单号不存在' };
const ORDER_PAID: Outcome = { errCode: 'ORDERPAID', errCodeDes: '该订单已支付' };
const ORDER_CLOSED: Outcome = { errCode: 'ORDERCLOSED', errCodeDes: '该订单已关闭' };

/**
 * api.mch.weixin.qq.com's v2 unifiedorder, orderquery and closeorder, over
 * XML, signature-checked both ways, on the shared trade store.
 */
export class PayV2Simulator {
  constructor(
    private readonly merchant: V2Merchant,
    private readonly trades: TradeStore,
    private readonly faults: FaultInjector,
  ) {}

  async handle(operation: V2Operation, request: SandboxRequest): Promise<SandboxReply> {
    const fault = this.faults.take(operation, 'pay');
    if (fault?.kind === 'HTTP_500') {
      return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'Internal Server Error' };
    }
    if (fault?.kind === 'DELAY') await sleep(fault.delayMs ?? 0);

    const read = readV2Request(request.body, this.merchant);
    if ('reply' in read) return read.reply;
    const { fields, signType } = read.request;
    // WeChat has no separate "busy" code in v2: an overloaded system answers SYSTEMERROR too.
    if (fault?.kind === 'SYSTEMERROR' || fault?.kind === 'BUSY') {
      const description = fault.kind === 'BUSY' ? '系统繁忙，请稍后再试' : '系统错误';
      return businessFailure(this.merchant, signType, 'SYSTEMERROR', description);
    }

    const outcome = this.run(operation, fields, signType);
    const replier = this.replier(fault);
    if ('errCode' in outcome) return businessFailure(replier, signType, outcome.errCode, outcome.errCodeDes);
    return signedReply(replier, signType, { result_code: 'SUCCESS', ...outcome.fields });
  }

  /**
   * Who the reply names. A FOREIGN_* fault names another merchant's appid or
   * mch_id, still signed with this merchant's key, so only the ids give it away.
   */
  private replier(fault: Fault | undefined): V2Merchant {
    if (fault?.kind === 'FOREIGN_APPID') return { ...this.merchant, appId: FOREIGN_APPID };
    if (fault?.kind === 'FOREIGN_MCHID') return { ...this.merchant, mchId: FOREIGN_MCHID };
    return this.merchant;
  }

  private run(operation: V2Operation, fields: Record<string, string>, signType: V2SignType): Outcome {
    switch (operation) {
      case 'unifiedorder': return this.unifiedOrder(fields, signType);
      case 'orderquery': return this.orderQuery(fields);
      case 'closeorder': return this.closeOrder(fields);
      default: throw new Error(`unknown v2 operation ${String(operation)}`);
    }
  }

  private unifiedOrder(fields: Record<string, string>, signType: V2SignType): Outcome {
    const parsed = parseUnifiedOrder(fields);
    if ('errCodeDes' in parsed) return { errCode: 'PARAM_ERROR', errCodeDes: parsed.errCodeDes };
    const { params } = parsed;

    let trade = this.trades.find(params.outTradeNo);
    if (trade) {
      if (trade.state === 'SUCCESS') return ORDER_PAID;
      if (trade.state === 'CLOSED') return ORDER_CLOSED;
      if (trade.fingerprint !== params.fingerprint) {
        return { errCode: 'OUT_TRADE_NO_USED', errCodeDes: '商户订单号重复' };
      }
      // The same order again: WeChat hands back the same prepay_id while it is valid (2 h).
      if (!this.trades.isPrepayValid(trade)) this.trades.renewPrepay(trade);
      // The notify follows the latest call's sign type, the merchant's current configuration.
      this.trades.setOrigin(trade, { api: 'v2', signType });
    } else {
      trade = this.trades.create({
        appid: this.merchant.appId,
        mchid: this.merchant.mchId,
        outTradeNo: params.outTradeNo,
        totalFee: params.totalFee,
        description: params.body,
        attach: params.attach,
        openid: params.openid,
        notifyUrl: params.notifyUrl,
        tradeType: params.tradeType,
        origin: { api: 'v2', signType },
        fingerprint: params.fingerprint,
      });
    }
    return {
      fields: {
        device_info: params.deviceInfo,
        trade_type: trade.tradeType,
        prepay_id: trade.prepayId,
        code_url: trade.tradeType === 'NATIVE' ? `weixin://wxpay/bizpayurl?pr=${trade.prepayId.slice(-16)}` : undefined,
      },
    };
  }

  private orderQuery(fields: Record<string, string>): Outcome {
    // WeChat prefers transaction_id when both are sent.
    let trade: Trade | undefined;
    if (fields.transaction_id) {
      trade = this.trades.findByTransactionId(fields.transaction_id);
    } else if (fields.out_trade_no) {
      trade = this.trades.find(fields.out_trade_no);
    } else {
      return { errCode: 'PARAM_ERROR', errCodeDes: 'transaction_id和out_trade_no不能同时为空' };
    }
    if (!trade) return ORDER_NOT_EXIST;

    const common: XmlFields = {
      out_trade_no: trade.outTradeNo,
      total_fee: trade.totalFee,
      trade_state: trade.state,
      trade_state_desc: TRADE_STATE_DESC[trade.state],
    };
    if (trade.state !== 'SUCCESS') return { fields: common };
    return {
      fields: {
        openid: trade.openid,
        is_subscribe: 'N',
        trade_type: trade.tradeType,
        bank_type: trade.bankType,
        fee_type: 'CNY',
        cash_fee: trade.totalFee,
        transaction_id: trade.transactionId,
        attach: trade.attach,
        time_end: trade.timeEnd,
        ...common,
      },
    };
  }

  private closeOrder(fields: Record<string, string>): Outcome {
    if (!fields.out_trade_no) return { errCode: 'PARAM_ERROR', errCodeDes: '缺少参数out_trade_no' };
    const trade = this.trades.find(fields.out_trade_no);
    if (!trade) return ORDER_NOT_EXIST;
    if (trade.state === 'SUCCESS') return ORDER_PAID;
    // The merchant may treat this as success: the order is closed either way.
    if (trade.state === 'CLOSED') return ORDER_CLOSED;
    this.trades.close(trade);
    return { fields: { result_msg: 'OK' } };
  }
}
