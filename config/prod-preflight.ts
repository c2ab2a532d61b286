/**
 * Preloaded by egg-scripts (`--require=./config/prod-preflight.js` in the
 * start scripts and the Dockerfile's CMD) into the cluster master, before it
 * forks anything. A production start with missing or malformed variables then
 * prints one line naming them and exits 1, instead of the agent dying and the
 * master logging an AgentWorkerDiedError stack trace around that line.
 *
 * It decides the environment as egg-core's loader does (EggLoader#getServerEnv),
 * so it checks exactly when config.prod would be loaded. Node passes the
 * preload on to the agent and the workers too; the check is cheap and passes there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { exitUnlessProductionEnvironment } from './config.prod';

function serverEnv(): string {
  const envFile = path.join(__dirname, 'env');
  if (fs.existsSync(envFile)) return fs.readFileSync(envFile, 'utf8').trim();
  if (process.env.EGG_SERVER_ENV) return process.env.EGG_SERVER_ENV;
  if (process.env.NODE_ENV === 'test') return 'unittest';
  if (process.env.NODE_ENV === 'production') return 'prod';
  return 'local';
}

if (serverEnv() === 'prod') exitUnlessProductionEnvironment();
