import { runApp } from '@parley/runtime';
import { AppModule } from './app.module';
import { gatewayConfigShape } from './config';

runApp({
  app: 'gateway',
  configShape: gatewayConfigShape,
  port: (config) => config.GATEWAY_PORT,
  module: (config, logger) => AppModule.register(config, logger),
});
