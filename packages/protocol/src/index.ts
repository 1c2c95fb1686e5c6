export * from './common';
export * from './http';
export * from './requests';
export * from './notifications';
export * from './socket';
export * from './inbox';
export * from './jobs';
export * from './parse';
