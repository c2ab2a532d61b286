// Hand-written typings; egg-ts-helper generates typings/app and typings/config.
import 'egg';
import type { StaffPrincipal } from '../app/lib/staff-account';
import type { WechatPayCredentials } from '../app/upstream/wechatpay-credentials';

declare module 'egg' {
  interface Application {
    /** app/extend/application.ts: the worker's WeChat Pay credentials */
    readonly wechatPayCredentials: WechatPayCredentials;
  }

  interface Context {
    state: {
      /** set by the auth middleware from the bearer token */
      userId: number;
      /** set by the staff auth middleware from the staff token and the account */
      staff: StaffPrincipal;
    } & Record<string, unknown>;
  }
}
