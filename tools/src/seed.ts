import { parseArgs } from 'node:util';
import { describeDatabase, driverErrorMessage, loadDatabaseConfig } from '@icg/shared';
import { DEFAULT_SEED, isStoreSeeded, seedStores, SeedRefusedError } from '@icg/synthetic';
import { formatProgress } from './seed-progress';
import { SUBGRAPH_REGISTRY } from './subgraph-registry';

const USAGE = `Usage: npm run seed -- [--customers N] [--seed S] [--reset]
  --customers N   customers to generate, with their policies, claims, tickets and complaints (default 1000)
  --seed S        generator seed: the same seed gives the same data (default ${DEFAULT_SEED})
  --reset         empty the stores first (otherwise seeding refuses to touch a store that has data)
  --if-empty      do nothing, successfully, when the stores already have data (for containers)
Stores: SQLite files under DATA_DIR (default ./data), or MySQL databases when MYSQL_URL is set.`;

function readPositiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new Error(`--${name} must be a whole number of at least 1, got "${value}"`);
  return Number(value);
}

async function main(): Promise<void> {
  let options;
  try {
    options = parseArgs({
      options: {
        customers: { type: 'string' },
        seed: { type: 'string' },
        reset: { type: 'boolean' },
        'if-empty': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const customers = readPositiveInt(options.customers, 'customers', 1_000);
  const seed = readPositiveInt(options.seed, 'seed', DEFAULT_SEED);
  const config = loadDatabaseConfig();
  if (options['if-empty'] && !options.reset) {
    const seeded = await Promise.all(SUBGRAPH_REGISTRY.map((store) => isStoreSeeded(config, store)));
    if (seeded.every(Boolean)) {
      process.stderr.write('stores already seeded; nothing to do\n');
      return;
    }
  }
  process.stderr.write(`seeding ${customers.toLocaleString('en')} customers (seed ${seed}) into ${describeDatabase(config, '<subgraph>')}\n`);
  const summary = await seedStores({
    config,
    stores: SUBGRAPH_REGISTRY,
    customers,
    seed,
    reset: Boolean(options.reset),
    onProgress: (progress) => process.stderr.write(`${formatProgress(progress)}\n`),
  });
  process.stderr.write(`done: ${summary.customers.toLocaleString('en')} customers in ${(summary.elapsedMs / 1000).toFixed(1)} s\n`);
}

main().catch((error: unknown) => {
  const message =
    error instanceof SeedRefusedError || (error instanceof Error && error.name === 'ConfigError') ? error.message : `seed failed: ${driverErrorMessage(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
