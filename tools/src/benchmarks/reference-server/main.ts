import { EnvReader, exitOnTerminationSignals, loadDatabaseConfig } from '@icg/shared';
import { startReferenceServer } from './reference-server';

/** The reference server as its own process (`npm run bench:stack` starts it): HOST, PORT, and the stores' MYSQL_URL, MYSQL_DATABASE_PREFIX, DATA_DIR, DB_POOL_MAX. */
async function main(): Promise<void> {
  const reader = new EnvReader();
  const server = await startReferenceServer({
    database: loadDatabaseConfig(),
    host: reader.string('HOST', '127.0.0.1'),
    port: reader.port('PORT', 4100),
  });
  process.stderr.write(`reference server listening on ${server.url}/graphql\n`);
  exitOnTerminationSignals(() => server.close());
}

main().catch((error: unknown) => {
  process.stderr.write(`reference server failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
