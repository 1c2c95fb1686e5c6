import { runApp } from '@parley/runtime';
import { AppModule } from './app.module';
import { configShape } from './config';

runApp({
  app: 'irc-parser',
  configShape,
  port: (config) => config.HEALTH_PORT,
  module: (config, logger) => AppModule.register(config, logger),
});
