import { env, runApp } from '@parley/runtime';
import { AppModule } from './app.module';

runApp({
  app: 'gateway',
  configShape: { GATEWAY_PORT: env.port(3200) },
  port: (config) => config.GATEWAY_PORT,
  module: (config, logger) => AppModule.register(config, logger),
});
