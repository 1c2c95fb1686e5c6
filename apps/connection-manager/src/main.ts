import { inboxConfigShape } from '@parley/inbox';
import { env, runApp } from '@parley/runtime';
import { AppModule } from './app.module';

runApp({
  app: 'connection-manager',
  configShape: { HEALTH_PORT: env.port(3201), ...inboxConfigShape },
  port: (config) => config.HEALTH_PORT,
  module: (config, logger) => AppModule.register(config, logger),
});
