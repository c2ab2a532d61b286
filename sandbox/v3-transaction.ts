import { formatV3Time } from '../app/lib/wxpay/gateway';
import { Trade, TradeState } from './trade-store';

const TRADE_STATE_DESC: Record<TradeState, string> = {
  SUCCESS: '支付成功',
  NOTPAY: '订单未支付',
  CLOSED: '订单已关闭',
  PAYERROR: '支付失败，请重新下单支付',
  USERPAYING: '用户支付中，需要输入密码',
};

/** v2's `yyyyMMddHHmmss` (Asia/Shanghai), kept by the trade store, as v3's RFC 3339 `…+08:00`. */
export function shanghaiTimestampToV3(value: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value);
  if (!m) throw new Error(`not a yyyyMMddHHmmss time: ${value}`);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`;
}

/** Now (or `ms`) as v3 writes times. */
export function v3Time(ms: number = Date.now()): string {
  return formatV3Time(new Date(ms));
}

/**
 * A trade as v3 describes it in an order query answer and, encrypted, in a
 * payment notify. Like WeChat, an unpaid trade shows no transaction,
 * payer_total or success_time; a failed attempt shows its transaction.
 */
export function v3Transaction(trade: Readonly<Trade>): Record<string, unknown> {
  const paid = trade.state === 'SUCCESS';
  const transaction: Record<string, unknown> = {
    appid: trade.appid,
    mchid: trade.mchid,
    out_trade_no: trade.outTradeNo,
  };
  if (trade.transactionId && trade.state !== 'NOTPAY' && trade.state !== 'USERPAYING') {
    transaction.transaction_id = trade.transactionId;
    transaction.trade_type = trade.tradeType;
  }
  transaction.trade_state = trade.state;
  transaction.trade_state_desc = TRADE_STATE_DESC[trade.state];
  if (paid) {
    transaction.bank_type = trade.bankType;
    if (trade.attach !== undefined) transaction.attach = trade.attach;
    transaction.success_time = shanghaiTimestampToV3(trade.timeEnd!);
  }
  if (trade.openid !== undefined && (paid || trade.transactionId)) transaction.payer = { openid: trade.openid };
  transaction.amount = paid
    ? { total: trade.totalFee, payer_total: trade.totalFee, currency: 'CNY', payer_currency: 'CNY' }
    : { total: trade.totalFee, currency: 'CNY', payer_currency: 'CNY' };
  return transaction;
}
