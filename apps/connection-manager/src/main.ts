import { runApp } from '@parley/runtime';
import { AppModule } from './app.module';
import { configShape } from './config';

runApp({
  app: 'connection-manager',
  configShape,
  port: (config) => config.HEALTH_PORT,
  module: (config, logger) => AppModule.register(config, logger),
});
