import { feeUnits, feeYuan, ratePercent, yuan } from './bill-money';

/**
 * WeChat Pay's ALL trade bill (WeChat Pay's trade bill format page, pay.weixin.qq.com/docs/merchant/products/bill-download/format-trade.html), the same text for
 * v2's downloadbill and v3's billdownload: the 27-column detail header, one
 * line per paid trade (交易状态 SUCCESS) and per accepted refund (REFUND),
 * then the summary header and its line. Every value is prefixed by one
 * backtick (headers are not), so a parser that splits naively on commas
 * meets the commas 商品名称 and 商户数据包 may hold.
 */
export const ALL_DETAIL_HEADER = '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,'
  + '付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,'
  + '商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';

export const ALL_SUMMARY_HEADER = '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';

/** The rate every sandbox merchant pays: 0.60%, in basis points. */
export const SANDBOX_FEE_RATE_BP = 60;

interface BillLineCommon {
  /** `yyyy-MM-dd HH:mm:ss`, Beijing: the success time of a payment, the acceptance time of a refund */
  time: string;
  appid: string;
  mchid: string;
  transactionId: string;
  outTradeNo: string;
  openid: string;
  tradeType: string;
  bankType: string;
  /** 商品名称: v2 body, v3 description */
  description: string;
  /** 商户数据包; empty when the order had none */
  attach: string;
}

/**
 * A paid trade, in fen: 订单金额 (`total`) and 应结订单金额 (`settled`), equal
 * without coupons; a merchant-funded coupon (免充值券) makes the difference,
 * which the bill shows as 代金券金额.
 */
export interface PaymentLine extends BillLineCommon {
  kind: 'PAYMENT';
  settled: number;
  total: number;
}

/** An accepted refund, as it stood when WeChat accepted it. */
export interface RefundLine extends BillLineCommon {
  kind: 'REFUND';
  refundId: string;
  outRefundNo: string;
  /** fen */
  refund: number;
  /** 退款状态 at acceptance: a bill row is a snapshot, never updated */
  refundStatus: string;
}

export type BillLine = PaymentLine | RefundLine;

export interface BillTextOptions {
  /** `\n` by default; `\r\n` exercises parsers that must tolerate either */
  lineEnding?: '\n' | '\r\n';
  /** a UTF-8 BOM before the header; WeChat sends none, a parser should tolerate one */
  bom?: boolean;
}

const CURRENCY = 'CNY';
// 特约商户号 is `0` for a direct merchant, as the sandbox's is.
const NO_SUB_MERCHANT = '0';

function backticked(values: string[]): string {
  return values.map(value => `\`${value}`).join(',');
}

/** A line's fee in 1/100000 元: positive on a payment, negated on a refund. */
export function lineFee(line: BillLine): bigint {
  return line.kind === 'PAYMENT' ? feeUnits(line.settled, SANDBOX_FEE_RATE_BP) : -feeUnits(line.refund, SANDBOX_FEE_RATE_BP);
}

function detail(line: BillLine): string {
  const payment = line.kind === 'PAYMENT';
  return backticked([
    line.time, line.appid, line.mchid, NO_SUB_MERCHANT, '', line.transactionId, line.outTradeNo, line.openid,
    line.tradeType, payment ? 'SUCCESS' : 'REFUND', line.bankType, CURRENCY,
    // A refund row settles nothing and orders nothing: its money is in 退款金额 / 申请退款金额.
    yuan(payment ? line.settled : 0), yuan(payment ? line.total - line.settled : 0),
    payment ? '0' : line.refundId, payment ? '0' : line.outRefundNo,
    yuan(payment ? 0 : line.refund), yuan(0),
    payment ? '' : 'ORIGINAL', payment ? '' : line.refundStatus,
    line.description, line.attach,
    feeYuan(lineFee(line)), ratePercent(SANDBOX_FEE_RATE_BP),
    yuan(payment ? line.total : 0), yuan(payment ? 0 : line.refund),
    // 费率备注: empty, which leaves the line ending in a lone backtick.
    '',
  ]);
}

function summary(lines: BillLine[]): string {
  let settled = 0n;
  let refunded = 0n;
  let fee = 0n;
  let ordered = 0n;
  let applied = 0n;
  for (const line of lines) {
    fee += lineFee(line);
    if (line.kind === 'PAYMENT') {
      settled += BigInt(line.settled);
      ordered += BigInt(line.total);
    } else {
      refunded += BigInt(line.refund);
      applied += BigInt(line.refund);
    }
  }
  return backticked([ String(lines.length), yuan(settled), yuan(refunded), yuan(0), feeYuan(fee), yuan(ordered), yuan(applied) ]);
}

/**
 * The bill's text, lines in the given order. The summary line ends the text
 * without a line break after it, as WeChat's published samples do.
 */
export function tradeBillText(lines: BillLine[], options: BillTextOptions = {}): string {
  const eol = options.lineEnding ?? '\n';
  const text = [ ALL_DETAIL_HEADER, ...lines.map(detail), ALL_SUMMARY_HEADER, summary(lines) ].join(eol);
  return options.bom ? `\uFEFF${text}` : text;
}
