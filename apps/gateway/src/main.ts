import { runApp } from '@parley/runtime';
import { AppModule } from './app.module';
import { appConfigShape } from './config';

runApp({
  app: 'gateway',
  configShape: appConfigShape,
  port: (config) => config.GATEWAY_PORT,
  module: (config, logger) => AppModule.register(config, logger),
});
