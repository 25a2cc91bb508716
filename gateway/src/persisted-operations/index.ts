// Persisted operations (README "For BI users"): the registry, its registration route and calling by hash.
export {
  PERSISTED_OPERATIONS_MIGRATIONS_TABLE,
  PERSISTED_OPERATIONS_TABLE,
  PersistedOperationRegistry,
  RegistryUnavailable,
  migratePersistedOperations,
  sha256Of,
  type PersistedOperation,
} from './operation-registry';
export { OperationValidator, type OperationCheck } from './operation-validator';
export { REGISTER_OPERATION_PATH, registerOperationRoute, type RegistrationAnswer, type RegisterRouteOptions } from './register-route';
export {
  PERSISTED_QUERY_NOT_FOUND_MESSAGE,
  assertOperationAllowed,
  persistedOperationsPlugin,
  persistedRequestOf,
  registryAsApqCache,
  type PersistedOperationsPluginOptions,
} from './persisted-operations';
