import { Application } from 'egg';
import { WechatPayCredentials } from '../upstream/wechatpay-credentials';
import { PoolState, WxpayMetrics } from '../metrics/registry';
import { WorkerScraper } from '../metrics/cluster';

const CREDENTIALS = Symbol('wechatPayCredentials');
const METRICS = Symbol('metrics');
const METRICS_SCRAPER = Symbol('metricsScraper');

/**
 * WeChat Pay credentials built from the app's config.wxpay; platform
 * certificates are downloaded through the v3 adapter when the key ring needs them.
 */
export function createWechatPayCredentials(app: Application): WechatPayCredentials {
  return new WechatPayCredentials(
    app.config.wxpay,
    ring => app.createAnonymousContext().service.payV3Client.downloadCertificates(ring),
    app.coreLogger,
  );
}

/** The Sequelize pool of the app's database (a replicated setup's write pool), read at scrape time. */
function poolOf(app: Application): PoolState | undefined {
  const pool = (app.model?.connectionManager as unknown as { pool?: PoolState & { write?: PoolState } } | undefined)?.pool;
  if (!pool) return undefined;
  return typeof pool.size === 'number' ? pool : pool.write;
}

export default {
  /** The WeChat Pay credentials of this worker, built once, on first use. */
  get wechatPayCredentials(): WechatPayCredentials {
    const app = this as unknown as Application & { [CREDENTIALS]?: WechatPayCredentials };
    app[CREDENTIALS] ??= createWechatPayCredentials(app);
    return app[CREDENTIALS];
  },

  /** This worker's metrics (app/metrics/registry.ts), created on first use. */
  get metrics(): WxpayMetrics {
    const app = this as unknown as Application & { [METRICS]?: WxpayMetrics };
    app[METRICS] ??= new WxpayMetrics(() => poolOf(app));
    return app[METRICS];
  },

  /**
   * This worker's side of a cluster-wide scrape (app/metrics/cluster.ts).
   * Created at start by app.ts, so that every worker answers the agent,
   * whichever of them the scrape hits.
   */
  get metricsScraper(): WorkerScraper {
    const app = this as unknown as Application & { [METRICS_SCRAPER]?: WorkerScraper };
    app[METRICS_SCRAPER] ??= new WorkerScraper(app.messenger, app.metrics.registry);
    return app[METRICS_SCRAPER];
  },
};
