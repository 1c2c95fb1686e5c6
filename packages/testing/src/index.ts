export * from './redis-server';
export * from './events';
export * from './process';
export * from './irc-server';
export * from './redis-cluster';
