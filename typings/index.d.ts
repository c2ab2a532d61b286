// Hand-written typings; egg-ts-helper generates typings/app and typings/config.
import 'egg';

declare module 'egg' {
  interface Context {
    state: {
      /** set by the auth middleware from the bearer token */
      userId: number;
    } & Record<string, unknown>;
  }
}
