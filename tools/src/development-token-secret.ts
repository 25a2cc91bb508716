import { join } from 'node:path';
import { EnvReader, loadDatabaseConfig, readOrCreateSecretFile, TOKEN_ENV, type Environment } from '@icg/shared';

/** Under DATA_DIR: the HS256 secret `npm start` and `npm run token` share when no identity provider is configured. */
export const DEVELOPMENT_TOKEN_SECRET_FILE = 'development-token.secret';

/**
 * The secret development tokens are signed with: AUTH_HS256_SECRET if set, else one generated once
 * into DATA_DIR. Undefined when a JWKS is configured: tokens then come from the identity provider.
 */
export function developmentTokenSecret(env: Environment = process.env): string | undefined {
  const reader = new EnvReader(env);
  const configured = reader.optionalString(TOKEN_ENV.secret);
  if (configured !== undefined) return configured;
  if (reader.optionalString(TOKEN_ENV.jwksPath) !== undefined || reader.optionalString(TOKEN_ENV.jwksUrl) !== undefined) return undefined;
  return readOrCreateSecretFile(join(loadDatabaseConfig(env).dataDir, DEVELOPMENT_TOKEN_SECRET_FILE), TOKEN_ENV.secret);
}
