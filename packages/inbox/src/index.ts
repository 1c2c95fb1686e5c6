export * from './consumer';
export * from './dead-letter';
export * from './sender';
export * from './notifier';
export * from './replies';
export * from './keys';
export * from './inbox.module';
export { LuaScript } from './lua-script';
