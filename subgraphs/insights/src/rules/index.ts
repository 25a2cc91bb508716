/** The insight rules: pure functions of a customer's figures, the rules file and asOf (no database, no GraphQL). */
export * from './customer-figures';
export * from './insight-rules';
export * from './classify';
export * from './segment';
export * from './early-warnings';
export * from './unit-leaders';
export { writtenPremiumForLarge } from './measures';
