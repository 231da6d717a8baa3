export * from './models/index.ts';
export * from './errors.ts';
export * from './generate.ts';
export * from './estimate.ts';
export * from './tasks.ts';
export * from './auth.ts';
export * from './admin.ts';
export * from './api.ts';
