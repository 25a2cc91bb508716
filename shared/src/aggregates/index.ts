// Grouped aggregates with small-group suppression (docs/access-model.md, "Aggregates").
export * from './aggregate-query';
export * from './aggregate-filters';
export * from './granted-access';
export { suppressSmallGroups, type SuppressionCell } from './suppression';
export * from './aggregate-index';
