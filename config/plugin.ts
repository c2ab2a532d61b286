import { EggPlugin } from 'egg';

const plugin: EggPlugin = {
  sequelize: {
    enable: true,
    package: 'egg-sequelize',
  },
  // Server-rendered pages are not served here.
  view: false,
  i18n: false,
  static: false,
  session: false,
};

export default plugin;
