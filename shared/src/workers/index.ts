export * from './primary-channel';
export * from './server-processes';
export * from './cluster-metrics';
