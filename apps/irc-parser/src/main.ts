import { inboxConfigShape } from '@parley/inbox';
import { env, runApp } from '@parley/runtime';
import { AppModule } from './app.module';

runApp({
  app: 'irc-parser',
  configShape: { HEALTH_PORT: env.port(3202), ...inboxConfigShape },
  port: (config) => config.HEALTH_PORT,
  module: (config, logger) => AppModule.register(config, logger),
});
