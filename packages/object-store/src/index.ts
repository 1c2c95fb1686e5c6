export * from './types';
export * from './store';
export * from './cache';
export * from './parley-types';
