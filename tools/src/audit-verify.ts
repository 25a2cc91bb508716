import {
  AUDIT_STORE,
  EnvReader,
  auditCheckpointPath,
  describeDatabase,
  driverErrorMessage,
  loadDatabaseConfig,
  openAuditStore,
  readAuditConfig,
  verifyAuditChains,
  type DatabaseConfig,
  type Knex,
} from '@icg/shared';

export interface AuditVerifyOutcome {
  /** 0 intact, 1 broken, 2 could not check (store unreachable, bad configuration). */
  exitCode: 0 | 1 | 2;
  message: string;
}

export interface AuditVerifySettings {
  /** AUDIT_CHAIN_KEY: the key the chains were written with. */
  chainKey: string;
  /** The checkpoint file the writers append to. */
  checkpointPath: string;
}

/**
 * `npm run audit:verify`: re-computes the audit store's keyed hash chains, names the first broken record, and
 * compares every chain with its newest checkpoint (removed newest records, removed chains, rewritten chains).
 */
export async function runAuditVerify(config: DatabaseConfig, settings: AuditVerifySettings): Promise<AuditVerifyOutcome> {
  let db: Knex | undefined;
  try {
    db = await openAuditStore(config);
    const result = await verifyAuditChains(db, { chainKey: settings.chainKey, checkpointPath: settings.checkpointPath });
    const lines: string[] = [];
    if (result.firstBroken) {
      const { id, chain, sequence, detail } = result.firstBroken;
      lines.push(`audit chain broken at record ${id} (chain ${chain}, sequence ${sequence}): ${detail}`);
      if (result.firstBroken.reason === 'altered') lines.push('(or AUDIT_CHAIN_KEY is not the key this chain was written with)');
    }
    for (const problem of result.checkpointProblems ?? []) lines.push(`audit chain disagrees with its checkpoints: ${problem.detail}`);
    if (lines.length > 0) return { exitCode: 1, message: lines.join('\n') };
    const legacy = result.legacyRecords > 0 ? ` (${result.legacyRecords} unkeyed format-1 records, checked with their SHA-256 chain)` : '';
    return { exitCode: 0, message: `audit chain intact: ${result.records} records in ${result.chains} chains, consistent with the checkpoints${legacy}` };
  } catch (error) {
    return { exitCode: 2, message: `audit verify could not read ${describeDatabase(config, AUDIT_STORE)}: ${driverErrorMessage(error)}` };
  } finally {
    await db?.destroy();
  }
}

async function main(): Promise<void> {
  let config: DatabaseConfig;
  let settings: AuditVerifySettings;
  try {
    config = loadDatabaseConfig();
    const audit = readAuditConfig(new EnvReader(process.env), config.dataDir);
    settings = { chainKey: audit.chainKey, checkpointPath: auditCheckpointPath(audit, config) };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const outcome = await runAuditVerify(config, settings);
  // The verdict (intact or broken) is the command's output; only a failure to check goes to stderr.
  (outcome.exitCode === 2 ? process.stderr : process.stdout).write(`${outcome.message}\n`);
  process.exitCode = outcome.exitCode;
}

if (require.main === module) void main();
