import { Agent, IBoot } from 'egg';
import { AgentAggregator } from './app/metrics/cluster';

// Below a worker's own wait (config.metrics.scrapeTimeoutMs, 3 s), so that a
// worker that does not answer is reported as such rather than as a lost agent.
const COLLECT_TIMEOUT_MS = 2000;

export default class AgentBoot implements IBoot {
  constructor(private readonly agent: Agent) {}

  async didLoad() {
    // The agent gathers a scrape's metrics from every app worker: it is the
    // one process egg-cluster tells the workers' pids (`egg-pids`).
    const { messenger } = this.agent;
    new AgentAggregator(messenger, () => (messenger as unknown as { opids?: unknown[] }).opids ?? [], COLLECT_TIMEOUT_MS);
  }
}
