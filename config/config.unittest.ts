import path from 'node:path';
import { EggAppConfig, EggAppInfo, PowerPartial } from 'egg';
import { sandboxDefaults } from './config.default';
import { staticSites } from './static-sites';

// Tests: the sandbox mounted in-process; test/.setup.ts listens on a free port
// and points the WeChat base URLs and the notify URL at it.
export default (appInfo: EggAppInfo) => {
  const defaults = sandboxDefaults();
  const config: PowerPartial<EggAppConfig> = {
    wechat: { ...defaults.wechat, timeoutMs: 2000 },
    wxpay: { ...defaults.wxpay, timeoutMs: 2000 },
    auth: { tokenSecret: 'unittest-token-secret-0123456789abcdef' },
    sandbox: { ...defaults.sandbox, notifyRetryScale: 0.001 },
    developerPages: true,
    static: staticSites(appInfo.baseDir, { developerPages: true }),
    // Not <baseDir>/logs, which belongs to dev and production starts in the
    // checkout: config/unittest-logs.ts keeps egg-mock from deleting it and
    // empties this directory (UNITTEST_LOG_DIR there) at the start of a run.
    logger: { consoleLevel: 'NONE', dir: path.join(appInfo.baseDir, 'run/unittest-logs') },
    // tests call ReconciliationService.run() with the clock they need
    reconciliation: { enabled: false },
    // tests call BillReconciliationService.runDue() with the clock they need
    billReconciliation: { enabled: false },
    // tests call EventRetentionService.run() with the rows they need
    retention: { enabled: false },
  };
  return config;
};
