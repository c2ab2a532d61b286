import { CertifiedMerchant, isMerchantCertificate } from './client-certificate';
import { FaultInjector } from './faults';
import { SandboxReply, SandboxRequest, sleep } from './http';
import { RefundLedger, RefundRefusal } from './refund-ledger';
import { v2FaultError, V2BusinessError } from './v2-refund-faults';
import { parseV2Refund } from './v2-refund-params';
import { businessFailure, protocolFailure, readV2Request, signedReply, V2Merchant } from './v2-message';

/** The paths WeChat serves only to callers presenting the merchant API client certificate (mutual TLS). */
export const MUTUAL_TLS_PATHS: readonly string[] = [ '/sandbox/pay/secapi/pay/refund' ];

const REFUSALS: Record<RefundRefusal, V2BusinessError> = {
  TRADE_NOT_FOUND: { errCode: 'ORDERNOTEXIST', errCodeDes: '订单不存在' },
  TRADE_OVERDUE: { errCode: 'TRADE_OVERDUE', errCodeDes: '订单已经超过退款期限' },
  PARAMS_MISMATCH: { errCode: 'INVALID_REQUEST', errCodeDes: '订单金额或退款金额与之前请求不一致,请核实后再试' },
  EXCEEDS_REFUNDABLE: { errCode: 'INVALID_REQUEST', errCodeDes: '申请退款金额超过订单可退金额' },
  // The 51st refund of an order: WeChat documents the limit but no code for it.
  TOO_MANY_REFUNDS: { errCode: 'INVALID_REQUEST', errCodeDes: '退款次数超过限制' },
};

/**
 * api.mch.weixin.qq.com's v2 /secapi/pay/refund (pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_4): only
 * for the merchant's own API certificate (the TLS listener has already
 * dropped callers without a certificate from the CA; a certificate of
 * someone else, or plain HTTP, is "certificate not match"), then signed XML
 * as for payments, the reply signed with the request's sign type. result_code
 * SUCCESS means accepted: the refund is PROCESSING until a control call settles it.
 */
export class RefundV2Simulator {
  constructor(
    private readonly merchant: V2Merchant & CertifiedMerchant,
    private readonly ledger: RefundLedger,
    private readonly faults: FaultInjector,
  ) {}

  async refund(request: SandboxRequest): Promise<SandboxReply> {
    if (!isMerchantCertificate(request.clientCertificate, this.merchant)) return protocolFailure('certificate not match');
    const fault = this.faults.take('refund', 'pay');
    if (fault?.kind === 'HTTP_500') return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'Internal Server Error' };
    const reply = this.apply(request, v2FaultError(fault?.kind));
    // A slow refund is slow after WeChat has accepted it: the merchant times out, the refund stands.
    if (fault?.kind === 'DELAY') await sleep(fault.delayMs ?? 0);
    return reply;
  }

  private apply(request: SandboxRequest, faultError: V2BusinessError | undefined): SandboxReply {
    const read = readV2Request(request.body, this.merchant);
    if ('reply' in read) return read.reply;
    const { fields, signType } = read.request;
    const parsed = parseV2Refund(fields);
    if ('returnMsg' in parsed) return protocolFailure(parsed.returnMsg);
    if ('paramError' in parsed) return businessFailure(this.merchant, signType, 'PARAM_ERROR', parsed.paramError);
    if (faultError) return businessFailure(this.merchant, signType, faultError.errCode, faultError.errCodeDes);

    const { params } = parsed;
    const decision = this.ledger.apply({
      transactionId: params.transactionId,
      outTradeNo: params.outTradeNo,
      outRefundNo: params.outRefundNo,
      total: params.totalFee,
      refund: params.refundFee,
      reason: params.refundDesc,
      notifyUrl: params.notifyUrl,
      notifyForm: 'v2',
      source: 'API',
      fundsAccount: params.fundsAccount,
    });
    if ('refusal' in decision) {
      const { errCode, errCodeDes } = REFUSALS[decision.refusal];
      return businessFailure(this.merchant, signType, errCode, errCodeDes);
    }
    const { refund } = decision;
    return signedReply(this.merchant, signType, {
      result_code: 'SUCCESS',
      transaction_id: refund.transactionId,
      out_trade_no: refund.outTradeNo,
      out_refund_no: refund.outRefundNo,
      refund_id: refund.refundId,
      refund_fee: refund.refundFee,
      coupon_refund_fee: 0,
      total_fee: refund.totalFee,
      cash_fee: refund.totalFee,
      fee_type: 'CNY',
      cash_refund_fee: refund.refundFee,
    });
  }
}
