import { EggAppConfig, PowerPartial } from 'egg';
import { sandboxDefaults } from './config.default';

// Tests: the sandbox mounted in-process; test/.setup.ts listens on a free port
// and points the WeChat base URLs and the notify URL at it.
export default () => {
  const defaults = sandboxDefaults();
  const config: PowerPartial<EggAppConfig> = {
    wechat: { ...defaults.wechat, timeoutMs: 2000 },
    wxpay: { ...defaults.wxpay, timeoutMs: 2000 },
    auth: { tokenSecret: 'unittest-token-secret-0123456789abcdef' },
    sandbox: { ...defaults.sandbox, notifyRetryScale: 0.001 },
    logger: { consoleLevel: 'NONE' },
    // tests call ReconciliationService.run() with the clock they need
    reconciliation: { enabled: false },
  };
  return config;
};
