import { Application, IBoot } from 'egg';

export default class AppBoot implements IBoot {
  constructor(private readonly app: Application) {}

  configWillLoad() {
    const { coreMiddleware, sandbox } = this.app.config;
    // The error mapping wraps the body parser too, so a malformed or oversized
    // body gets the same `{ code, message }` reply as every other error.
    coreMiddleware.splice(coreMiddleware.indexOf('bodyParser'), 0, 'errorHandler');
    // The simulator goes first, ahead of the body parser; never in production.
    if (sandbox.enabled) coreMiddleware.unshift('sandbox');
  }
}
