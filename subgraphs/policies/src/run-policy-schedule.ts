/**
 * `npm run policies:schedule`: runs the policy schedule (time-driven transitions, renewal reminders) once
 * against the policies store, as the subgraph's own timer does, and prints what it did (counts only).
 * For an operator who has switched the timer off (POLICIES_SCHEDULE_INTERVAL_SECONDS=0) or wants a run now.
 * Reads the same variables as the subgraph (MYSQL_URL or DATA_DIR, POLICIES_GRACE_PERIOD_DAYS, the audit settings);
 * events it records wait in the outbox for the subgraph's relay. Every policy moved and reminder sent is audited as
 * the system's change, as on the timer (docs/access-model.md, "Writes the system makes").
 */
import {
  createEventRecorder,
  createLogger,
  EVENT_TYPES,
  loadAccessPolicy,
  loadSubgraphConfig,
  migrateToLatest,
  openCommandAudit,
  openDatabase,
  ScheduledJobRunner,
  systemClock,
  type CommandAudit,
} from '@icg/shared';
import { loadPolicySettings } from './policy-settings';
import { createPoliciesSubgraph } from './server';

async function main(): Promise<void> {
  const settings = loadPolicySettings();
  const manifest = createPoliciesSubgraph(settings);
  const config = loadSubgraphConfig(manifest);
  const policy = loadAccessPolicy(config.security.accessPolicyPath);
  const db = openDatabase(config.database, manifest.name);
  const logger = createLogger('policies-schedule', 'silent');
  let audit: CommandAudit | undefined;
  try {
    await migrateToLatest(db, manifest.migrations);
    const job = manifest.scheduledJobs?.[0];
    if (!job) throw new Error('the policies subgraph declares no scheduled job');
    audit = await openCommandAudit({ subgraph: manifest.name, database: config.database, audit: config.security.audit, db, log: logger });
    const events = createEventRecorder({ producer: manifest.name, catalog: EVENT_TYPES, clock: systemClock });
    // Once, now: the runner's timer stays off (interval 0), and the run's writes are audited as on the timer.
    const runner = new ScheduledJobRunner([{ ...job, intervalMs: 0 }], {
      subgraph: manifest.name,
      db,
      clock: systemClock,
      logger,
      events,
      changeAudit: audit.trail,
      policyVersion: policy.version,
    });
    runner.start();
    const result = await runner.runNow(job.name);
    await runner.close();
    process.stdout.write(`${JSON.stringify({ job: job.name, at: systemClock.now().toISOString(), result })}\n`);
  } finally {
    // The audit records are written (and their hand-over rows cleared) before the command ends.
    await audit?.close();
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
