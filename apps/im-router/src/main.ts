import { runApp } from '@parley/runtime';
import { AppModule } from './app.module';
import { appConfigShape } from './config';

runApp({
  app: 'im-router',
  configShape: appConfigShape,
  port: (config) => config.HEALTH_PORT,
  module: (config, logger) => AppModule.register(config, logger),
});
