import { runApp } from '@parley/runtime';
import { AppModule } from './app.module';
import { IM_CONFIG_SHAPE } from './im.config';

runApp({
  app: 'im-router',
  configShape: IM_CONFIG_SHAPE,
  port: (config) => config.HEALTH_PORT,
  module: (config, logger) => AppModule.register(config, logger),
});
