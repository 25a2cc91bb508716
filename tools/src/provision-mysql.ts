import { ConfigError, EnvReader, driverErrorMessage, loadDatabaseConfig } from '@icg/shared';
import { graphMysqlAccounts, provisionMysqlAccounts } from './mysql-accounts';
import { SUBGRAPH_REGISTRY } from './subgraph-registry';

/** The administrator's URL: used by this one-off step only, never given to a serving process. */
const ADMIN_URL_VARIABLE = 'MYSQL_ADMIN_URL';

/**
 * `node tools/dist/provision-mysql.js` (the `db-init` service of docker-compose.yml): creates the graph's databases
 * and least-privilege accounts with the passwords in the environment (`.env`, from `npm run compose:env`).
 */
async function main(): Promise<void> {
  const reader = new EnvReader();
  const adminUrl = reader.url(ADMIN_URL_VARIABLE, undefined, ['mysql:', 'mariadb:']);
  if (adminUrl === undefined) throw new ConfigError(ADMIN_URL_VARIABLE, 'must be set to an account that may create databases and users');
  const config = loadDatabaseConfig();
  const subgraphs = SUBGRAPH_REGISTRY.map(({ manifest }) => manifest.name);
  const passwords = Object.fromEntries(
    graphMysqlAccounts(config, subgraphs).map(({ passwordVariable }) => [passwordVariable, reader.optionalString(passwordVariable)]),
  );
  const accounts = await provisionMysqlAccounts(adminUrl, config, subgraphs, passwords);
  for (const account of accounts) {
    const grants = account.grants.map((grant) => `${grant.privileges.join(',')} on ${grant.database}.${grant.table ?? '*'}`).join('; ');
    process.stdout.write(`${account.user}: ${grants}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : `MySQL provisioning failed: ${driverErrorMessage(error)}`}\n`);
  process.exit(1);
});
