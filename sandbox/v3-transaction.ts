import { Trade, TradeState } from './trade-store';
import { beijingRfc3339, compactToRfc3339 } from './wechat/time';

const TRADE_STATE_DESC: Record<TradeState, string> = {
  SUCCESS: '支付成功',
  NOTPAY: '订单未支付',
  CLOSED: '订单已关闭',
  PAYERROR: '支付失败，请重新下单支付',
  USERPAYING: '用户支付中，需要输入密码',
};

/** Now (or `ms`) as v3 writes times. */
export function v3Time(ms: number = Date.now()): string {
  return beijingRfc3339(ms);
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
    transaction.success_time = compactToRfc3339(trade.timeEnd!);
  }
  if (trade.openid !== undefined && (paid || trade.transactionId)) transaction.payer = { openid: trade.openid };
  transaction.amount = paid
    ? { total: trade.totalFee, payer_total: trade.totalFee, currency: 'CNY', payer_currency: 'CNY' }
    : { total: trade.totalFee, currency: 'CNY', payer_currency: 'CNY' };
  return transaction;
}
