export { startGateway, DEFAULT_SUPERGRAPH_PATH, type RunningGateway } from './gateway-server';
export { SubgraphDataSource } from './subgraph-data-source';
export { WARM_UP_STAFF_ID } from './fetch-warm-up';
export { createGatewayErrorFormatter } from './format-gateway-error';
export type { GatewayContext } from './gateway-context';
export { EnforcingGateway, readFieldClassifications } from './access';
export {
  PERSISTED_OPERATIONS_MIGRATIONS_TABLE,
  PERSISTED_OPERATIONS_TABLE,
  PersistedOperationRegistry,
  migratePersistedOperations,
  type PersistedOperation,
} from './persisted-operations';
