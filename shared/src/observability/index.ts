export * from './metrics';
export * from './request-log';
export * from './tracing';
export * from './observability-config';
