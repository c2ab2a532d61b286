import { requestedBillDay } from './bill-date';

/**
 * What v2's downloadbill and v3's tradebill both ask, checked the same way:
 * the day, the bill type, and whether the file comes gzipped. Each API
 * answers a problem in its own words (v2 return_msg, v3 code and message).
 */

/** Every bill_type WeChat knows (v2 the first four, v3 all); the sandbox generates ALL only. */
export const KNOWN_BILL_TYPES = [ 'ALL', 'SUCCESS', 'REFUND', 'RECHARGE_REFUND', 'ALL_SPECIAL', 'SUC_SPECIAL', 'REF_SPECIAL' ];
export const GENERATED_BILL_TYPE = 'ALL';
/** The only compression WeChat offers; v2 and v3 both spell it GZIP in the request. */
export const GZIP_TAR_TYPE = 'GZIP';

export type BillRequestProblem =
  /** bill_date is absent */
  | 'DATE_MISSING'
  /** bill_date is not a day in the API's form, is in the future, or more than three months back */
  | 'DATE_INVALID'
  /** bill_type is none WeChat knows */
  | 'TYPE_UNKNOWN'
  /** bill_type is one WeChat knows and the sandbox does not generate */
  | 'TYPE_NOT_SIMULATED'
  /** tar_type is not GZIP */
  | 'TAR_TYPE_INVALID';

export interface BillRequest {
  /** `YYYY-MM-DD`, Beijing */
  day: string;
  gzip: boolean;
}

/** The request's day and form, or what is wrong with it. */
export function readBillRequest(
  params: { billDate?: string; billType?: string; tarType?: string },
  form: 'v2' | 'v3',
  now: number,
): BillRequest | { problem: BillRequestProblem } {
  if (params.billDate === undefined || params.billDate === '') return { problem: 'DATE_MISSING' };
  const billType = params.billType === undefined || params.billType === '' ? GENERATED_BILL_TYPE : params.billType;
  if (!KNOWN_BILL_TYPES.includes(billType)) return { problem: 'TYPE_UNKNOWN' };
  if (billType !== GENERATED_BILL_TYPE) return { problem: 'TYPE_NOT_SIMULATED' };
  const tarType = params.tarType === undefined || params.tarType === '' ? undefined : params.tarType;
  if (tarType !== undefined && tarType !== GZIP_TAR_TYPE) return { problem: 'TAR_TYPE_INVALID' };
  const day = requestedBillDay(params.billDate, form, now);
  if (!day) return { problem: 'DATE_INVALID' };
  return { day, gzip: tarType === GZIP_TAR_TYPE };
}
