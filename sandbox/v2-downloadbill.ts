import { gzipSync } from 'node:zlib';
import { BillRequestProblem, readBillRequest } from './bill-request';
import { TradeBills } from './bill-generator';
import { FaultInjector } from './faults';
import { SandboxReply, SandboxRequest, sleep } from './http';
import { readV2Request, V2Merchant, xmlReply } from './v2-message';

/**
 * A downloadbill failure: plain XML, unsigned, with `error_code` (not
 * err_code) where WeChat is known to send one (pay.weixin.qq.com/doc/v2/merchant/4011985040).
 * Also the answer when GZIP was asked: a merchant tells the two apart by
 * the first bytes (`<` against gzip's 1f 8b).
 */
function billFailure(returnMsg: string, errorCode?: string): SandboxReply {
  return xmlReply({ return_code: 'FAIL', return_msg: returnMsg, error_code: errorCode });
}

// WeChat's return_msg for each problem; only 20001 and 20002 are documented codes.
const PROBLEMS: Record<BillRequestProblem, () => SandboxReply> = {
  DATE_MISSING: () => billFailure('missing parameter'),
  DATE_INVALID: () => billFailure('invalid bill_date', '20001'),
  TYPE_UNKNOWN: () => billFailure('invalid bill_type'),
  // The sandbox says plainly what it does not simulate rather than pretend the day is empty.
  TYPE_NOT_SIMULATED: () => billFailure('invalid bill_type: the sandbox generates ALL bills only'),
  TAR_TYPE_INVALID: () => billFailure('invalid tar_type'),
};

const NO_BILL = () => billFailure('No Bill Exist', '20002');

/**
 * api.mch.weixin.qq.com's v2 /pay/downloadbill (no client certificate): a
 * signed XML request like every v2 call; the bill comes back as raw text
 * (or gzip bytes with tar_type=GZIP), neither XML nor signed.
 */
export class DownloadBillV2Simulator {
  constructor(
    private readonly merchant: V2Merchant,
    private readonly bills: TradeBills,
    private readonly faults: FaultInjector,
    private readonly clock: () => number,
  ) {}

  // POST /pay/downloadbill
  async download(request: SandboxRequest): Promise<SandboxReply> {
    const fault = this.faults.take('downloadbill', 'pay');
    if (fault?.kind === 'HTTP_500') return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'Internal Server Error' };
    if (fault?.kind === 'DELAY') await sleep(fault.delayMs ?? 0);

    const read = readV2Request(request.body, this.merchant);
    if ('reply' in read) return read.reply;
    if (fault?.kind === 'SYSTEMERROR' || fault?.kind === 'BUSY') return billFailure('SYSTEMERROR');
    const { fields } = read.request;
    const asked = readBillRequest({ billDate: fields.bill_date, billType: fields.bill_type, tarType: fields.tar_type }, 'v2', this.clock());
    if ('problem' in asked) return PROBLEMS[asked.problem]();

    const bill = this.bills.served(asked.day);
    if (bill.settings.mode === 'CREATING') return billFailure('Bill Creating');
    if (bill.text === undefined) return NO_BILL();
    if (asked.gzip) {
      return { status: 200, headers: { 'content-type': 'application/x-gzip' }, body: gzipSync(Buffer.from(bill.text, 'utf8')) };
    }
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: bill.text };
  }
}
