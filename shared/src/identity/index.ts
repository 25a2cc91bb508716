export * from './authentication-error';
export * from './staff-identity';
export * from './claim-mapping';
export * from './token-verifier';
export * from './token-minter';
export * from './identity-assertion';
