import { parseArgs } from 'node:util';
import { dropMysqlDatabase, loadDatabaseConfig, openDatabase, type DatabaseConfig } from '@icg/shared';
import { DEFAULT_SEED, seedStores } from '@icg/synthetic';
import { formatProgress } from '../seed-progress';
import { SUBGRAPH_REGISTRY } from '../subgraph-registry';
import { describeMachine, writeBenchmarkSection } from './benchmark-report';

/**
 * `npm run bench:seed [-- --customers N]`: seeds N customers (default 100,000) with everything they
 * hold into fresh MySQL/MariaDB databases (prefix `icgbench_`), then records time, rate and row
 * counts in BENCHMARKS.md. Needs MYSQL_URL.
 */
async function countRows(config: DatabaseConfig): Promise<{ store: string; rows: number }[]> {
  const counts = [];
  for (const { manifest, seeder } of SUBGRAPH_REGISTRY) {
    const db = openDatabase(config, manifest.name);
    try {
      let rows = 0;
      for (const table of seeder.tables) rows += Number(((await db.table(table).count({ count: '*' })) as { count: number | string }[])[0]!.count);
      counts.push({ store: manifest.name, rows });
    } finally {
      await db.destroy();
    }
  }
  return counts;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { customers: { type: 'string' } } });
  const customers = Number(values.customers ?? 100_000);
  const base = loadDatabaseConfig();
  if (!base.mysqlUrl) throw new Error('bench:seed measures the MySQL/MariaDB load: set MYSQL_URL, e.g. mysql://root@127.0.0.1:3306');
  const config: DatabaseConfig = { ...base, mysqlDatabasePrefix: 'icgbench_' };
  const summary = await seedStores({
    config,
    stores: SUBGRAPH_REGISTRY,
    customers,
    seed: DEFAULT_SEED,
    reset: true,
    onProgress: (progress) => {
      if (progress.customersDone % 10_000 === 0 || progress.customersDone === progress.customersTotal) process.stderr.write(`${formatProgress(progress)}\n`);
    },
  });
  const counts = await countRows(config);
  const totalRows = counts.reduce((sum, entry) => sum + entry.rows, 0);
  const version = await (async () => {
    const db = openDatabase(config, 'customers');
    try {
      return ((await db.raw('select version() as version')) as [{ version: string }[]])[0][0]!.version;
    } finally {
      await db.destroy();
    }
  })();
  for (const { manifest } of SUBGRAPH_REGISTRY) await dropMysqlDatabase(config, manifest.name);
  const seconds = summary.elapsedMs / 1000;
  writeBenchmarkSection(
    'seed',
    `## Seeding ${customers.toLocaleString('en')} customers on MySQL/MariaDB

Target (issue 2): 100,000 customers with their related rows load in well under 5 minutes.

| measured | figure |
|---|---|
| customers | ${customers.toLocaleString('en')} |
| rows written, all five stores | ${totalRows.toLocaleString('en')} (${counts.map((entry) => `${entry.store} ${entry.rows.toLocaleString('en')}`).join(', ')}) |
| wall time | **${seconds.toFixed(1)} s** (${Math.round(customers / seconds).toLocaleString('en')} customers/s, ${Math.round(totalRows / seconds).toLocaleString('en')} rows/s) |

- Command: \`MYSQL_URL=mysql://root@127.0.0.1:3306 npm run bench:seed -- --customers ${customers}\`
- Database: ${version}, on the same machine
- Machine: ${describeMachine()}
- Date: ${new Date().toISOString().slice(0, 10)}
- Batches of 1,000 customers; the five stores are written concurrently, one transaction per store per batch.`,
  );
  process.stderr.write(`seeded ${customers} customers (${totalRows} rows) in ${seconds.toFixed(1)} s; recorded in BENCHMARKS.md\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
