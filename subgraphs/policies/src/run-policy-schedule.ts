/**
 * `npm run policies:schedule`: runs the policy schedule (time-driven transitions, renewal reminders) once
 * against the policies store, as the subgraph's own timer does, and prints what it did (counts only).
 * For an operator who has switched the timer off (POLICIES_SCHEDULE_INTERVAL_SECONDS=0) or wants a run now.
 * Reads the same variables as the subgraph (MYSQL_URL or DATA_DIR, POLICIES_GRACE_PERIOD_DAYS); events it
 * records wait in the outbox for the subgraph's relay.
 */
import { createEventRecorder, createLogger, EVENT_TYPES, loadDatabaseConfig, migrateToLatest, openDatabase, systemClock } from '@icg/shared';
import { loadPolicySettings } from './policy-settings';
import { createPoliciesSubgraph } from './server';

async function main(): Promise<void> {
  const settings = loadPolicySettings();
  const manifest = createPoliciesSubgraph(settings);
  const db = openDatabase(loadDatabaseConfig(), manifest.name);
  const logger = createLogger('policies-schedule', 'silent');
  try {
    await migrateToLatest(db, manifest.migrations);
    const job = manifest.scheduledJobs?.[0];
    if (!job) throw new Error('the policies subgraph declares no scheduled job');
    const events = createEventRecorder({ producer: manifest.name, catalog: EVENT_TYPES, clock: systemClock });
    const result = await job.run({ db, clock: systemClock, logger, events });
    process.stdout.write(`${JSON.stringify({ job: job.name, at: systemClock.now().toISOString(), result })}\n`);
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  // The kind only: a database error's message can hold SQL with personal values.
  const failure = error as { name?: string; code?: string; message?: string };
  process.stderr.write(
    `policies:schedule failed: ${failure?.code ?? failure?.name ?? 'error'}${failure?.name === 'ConfigError' ? ` — ${failure.message}` : ''}\n`,
  );
  process.exit(1);
});
