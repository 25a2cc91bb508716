export { createCustomersSubgraph, customersSubgraph } from './server';
export { BLACKLIST_EXPIRY_JOB, type BlacklistExpiryResult } from './blacklist';
export { DEFAULT_CUSTOMERS_SETTINGS, SCHEDULE_INTERVAL_VARIABLE, loadCustomersSettings, type CustomersSettings } from './customers-settings';
