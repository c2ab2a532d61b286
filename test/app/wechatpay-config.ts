import { Application } from 'egg';
import { mock } from 'egg-mock/bootstrap';
import { createWechatPayCredentials } from '../../app/extend/application';

type WxpayConfig = Application['config']['wxpay'];

/**
 * Changes WeChat Pay settings for one test. The credentials are built once per
 * worker in the app, so a test that changes a key also gets credentials built
 * from the changed settings (with a key ring of their own); egg-mock restores both.
 */
export function mockWechatPayConfig(app: Application, changes: Partial<WxpayConfig>): void {
  for (const [ name, value ] of Object.entries(changes)) mock(app.config.wxpay, name, value);
  mock(app, 'wechatPayCredentials', createWechatPayCredentials(app));
}
