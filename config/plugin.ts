import { EggPlugin } from 'egg';

const plugin: EggPlugin = {
  sequelize: {
    enable: true,
    package: 'egg-sequelize',
  },
  // Server-rendered pages are not served here.
  view: false,
  i18n: false,
  // the merchant console, and in local dev the playground and the OpenAPI viewer (config/static-sites.ts)
  static: true,
  session: false,
};

export default plugin;
