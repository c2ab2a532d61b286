import { Application, IBoot } from 'egg';

export default class AppBoot implements IBoot {
  constructor(private readonly app: Application) {}

  configWillLoad() {
    // The simulator goes first, ahead of the body parser; never in production.
    if (this.app.config.sandbox.enabled) {
      this.app.config.coreMiddleware.unshift('sandbox');
    }
  }
}
