import { Service } from 'egg';
import type { PayGateway } from '../lib/wxpay/gateway';

/** WeChat Pay as the configured API version speaks it (WECHATPAY_API_VERSION). */
export default class WechatPayService extends Service {
  /** The adapter of the configured version: Pay API v2 or v3. */
  get gateway(): PayGateway {
    return this.config.wxpay.apiVersion === 'v3' ? this.service.payV3Client : this.service.payV2Client;
  }
}
