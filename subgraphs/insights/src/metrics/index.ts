/** The metrics of DOMAIN.md section 6 as pure functions, with the fen money and calendar helpers they use. */
export * from './money';
export * from './calendar';
export * from './formulas';
