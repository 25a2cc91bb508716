import {
  AUDIT_STORE,
  describeDatabase,
  driverErrorMessage,
  loadDatabaseConfig,
  openAuditStore,
  verifyAuditChains,
  type DatabaseConfig,
  type Knex,
} from '@icg/shared';

export interface AuditVerifyOutcome {
  /** 0 intact, 1 broken, 2 could not check (store unreachable, bad configuration). */
  exitCode: 0 | 1 | 2;
  message: string;
}

/** `npm run audit:verify`: re-computes the audit store's hash chains and names the first broken record. */
export async function runAuditVerify(config: DatabaseConfig): Promise<AuditVerifyOutcome> {
  let db: Knex | undefined;
  try {
    db = await openAuditStore(config);
    const result = await verifyAuditChains(db);
    if (result.firstBroken) {
      const { id, chain, sequence, detail } = result.firstBroken;
      return { exitCode: 1, message: `audit chain broken at record ${id} (chain ${chain}, sequence ${sequence}): ${detail}` };
    }
    return { exitCode: 0, message: `audit chain intact: ${result.records} records in ${result.chains} chains` };
  } catch (error) {
    return { exitCode: 2, message: `audit verify could not read ${describeDatabase(config, AUDIT_STORE)}: ${driverErrorMessage(error)}` };
  } finally {
    await db?.destroy();
  }
}

async function main(): Promise<void> {
  let config: DatabaseConfig;
  try {
    config = loadDatabaseConfig();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const outcome = await runAuditVerify(config);
  // The verdict (intact or broken) is the command's output; only a failure to check goes to stderr.
  (outcome.exitCode === 2 ? process.stderr : process.stdout).write(`${outcome.message}\n`);
  process.exitCode = outcome.exitCode;
}

if (require.main === module) void main();
