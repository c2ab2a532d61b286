/**
 * Preloaded into mocha by .mocharc.yml, so on every test run: `npm test`,
 * `npm run cov`, `npx egg-bin test <files>`.
 *
 * The app egg-mock's bootstrap creates deletes <baseDir>/logs before it starts,
 * whatever config.logger.dir says; <baseDir>/logs is the checkout's ./logs,
 * where `npm run dev` and a production start in the checkout write theirs.
 * Tests log to UNITTEST_LOG_DIR instead (config.unittest.ts), so egg-mock is
 * told not to clean (its `clean` option, which the bootstrap offers no other
 * way to pass), and the run empties only the directory that tests own.
 * (Not for mocha's --parallel mode, which creates its apps another way.)
 */
import fs from 'node:fs';
import path from 'node:path';
import mock from 'egg-mock';

/** relative to the app's baseDir, which egg-mock takes from the working directory */
export const UNITTEST_LOG_DIR = 'run/unittest-logs';

const createApp = mock.app;
mock.app = options => createApp({ ...options, clean: false });

fs.rmSync(path.resolve(UNITTEST_LOG_DIR), { recursive: true, force: true });
