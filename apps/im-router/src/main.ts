import { env, runApp } from '@parley/runtime';
import { z } from 'zod';
import { AppModule } from './app.module';

runApp({
  app: 'im-router',
  configShape: {
    HEALTH_PORT: env.port(3204),
    /** Prefix of every IM key (the ouyunc seed's `ouyunc:im:`). */
    IM_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,32}:$/, 'letters, digits, _ . - and a trailing colon').default('im:'),
    IM_WORKER_CONCURRENCY: env.int(16, 1, 512),
  },
  port: (config) => config.HEALTH_PORT,
  module: (config, logger) => AppModule.register(config, logger),
});
