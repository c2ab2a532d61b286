import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { BillDownloadLinks } from './bill-download-links';
import { TradeBills } from './bill-generator';
import { BillRequestProblem, readBillRequest } from './bill-request';
import { SandboxReply, SandboxRequest } from './http';
import { paramError, V3Refusal } from './v3-refusal';

/** Where the download links point, under the sandbox's Pay API base (<origin>/sandbox/pay). */
export const BILL_DOWNLOAD_PATH = '/sandbox/pay/v3/billdownload/file';

const PROBLEMS: Record<BillRequestProblem, () => V3Refusal> = {
  DATE_MISSING: () => paramError('/query/bill_date', '必填，不能为空'),
  DATE_INVALID: () => new V3Refusal(400, 'INVALID_REQUEST', '账单日期格式错误或超出可下载范围（仅支持三个月内的账单）'),
  TYPE_UNKNOWN: () => paramError('/query/bill_type', '须为ALL、SUCCESS、REFUND、RECHARGE_REFUND、ALL_SPECIAL、SUC_SPECIAL或REF_SPECIAL'),
  // Said plainly: a merchant asking for another type is told the sandbox cannot, not that the day is empty.
  TYPE_NOT_SIMULATED: () => new V3Refusal(400, 'INVALID_REQUEST', 'the sandbox generates ALL bills only'),
  TAR_TYPE_INVALID: () => paramError('/query/tar_type', '仅支持GZIP'),
};

function sha1Hex(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/**
 * v3's trade bill (pay.weixin.qq.com/doc/v3/merchant/4012556654): GET /v3/bill/tradebill describes
 * the day's file (SHA1 of the uncompressed text, and a download link on the
 * sandbox's own base), GET /v3/billdownload/file serves it. The simulator
 * around these checks the merchant's signature on both and signs the
 * description and every refusal; the file itself goes out unsigned, as
 * WeChat sends it ("请求需签名但应答不签名").
 */
export class TradeBillV3Operations {
  constructor(private readonly bills: TradeBills, private readonly links: BillDownloadLinks, private readonly clock: () => number) {}

  // GET /v3/bill/tradebill?bill_date=YYYY-MM-DD&bill_type=ALL&tar_type=GZIP
  describe(request: SandboxRequest): Record<string, string> {
    const { query } = request;
    const asked = readBillRequest({
      billDate: query.get('bill_date') ?? undefined,
      billType: query.get('bill_type') ?? undefined,
      tarType: query.get('tar_type') ?? undefined,
    }, 'v3', this.clock());
    if ('problem' in asked) throw PROBLEMS[asked.problem]();

    const bill = this.bills.served(asked.day);
    if (bill.settings.mode === 'CREATING') throw new V3Refusal(400, 'STATEMENT_CREATING', '账单生成中');
    if (bill.text === undefined) throw new V3Refusal(400, 'NO_STATEMENT_EXIST', '请求的账单文件不存在');
    const hash = sha1Hex(bill.text);
    // WRONG_HASH: a hash of something else, as a file corrupted on the way would give.
    const hashValue = bill.settings.mode === 'WRONG_HASH' ? sha1Hex(`${hash}:not this file`) : hash;
    const url = new URL(BILL_DOWNLOAD_PATH, request.origin ?? 'http://127.0.0.1');
    url.searchParams.set('token', this.links.issue(bill.text));
    if (asked.gzip) url.searchParams.set('tartype', 'gzip');
    return { hash_type: 'SHA1', hash_value: hashValue, download_url: url.toString() };
  }

  // GET /v3/billdownload/file?token=…[&tartype=gzip]: the bill as it was when the link was made.
  download(request: SandboxRequest): SandboxReply {
    const text = this.links.text(request.query.get('token') ?? '');
    if (text === undefined) throw new V3Refusal(400, 'INVALID_REQUEST', '下载链接过期,请重新请求文件下载');
    if (request.query.get('tartype') === 'gzip') {
      return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: gzipSync(Buffer.from(text, 'utf8')) };
    }
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text };
  }
}
