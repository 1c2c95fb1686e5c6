import { inboxConfigShape } from '@parley/inbox';
import { env, runApp } from '@parley/runtime';
import { AppModule } from './app.module';
import { roomsConfigShape } from './rooms/rooms.config';

runApp({
  app: 'loopback-parser',
  configShape: { HEALTH_PORT: env.port(3203), ...inboxConfigShape, ...roomsConfigShape },
  port: (config) => config.HEALTH_PORT,
  module: (config, logger) => AppModule.register(config, logger),
});
