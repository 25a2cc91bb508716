/**
 * Renewal reminders (DOMAIN.md section 5): 60, 30, 15 and 7 days before expiry, produced by the policies
 * subgraph's scheduled job as the injectable clock moves, never twice, never to a blacklisted customer.
 * The job runs in the policies process (`jobs.runNow`, as its timer would run it); what a user checks is
 * the policy's reminders as the gateway shows them.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openAuditStore, SettableClock, type Knex } from '@icg/shared';
import { auditRecordsOf } from './support/crm-workflows';
import { POLICY_SCHEDULE_JOB, type PolicyScheduleResult } from '@icg/subgraph-policies';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { TEST_DIALECTS } from './support/test-database';
import { waitUntil } from './support/event-probes';
import {
  answered,
  castFor,
  dayAfter,
  firstError,
  mutatePolicy,
  policiesRefuse,
  readPolicy,
  sendBlacklistChange,
  type PolicyCast,
  type PolicyView,
} from './support/policy-workflow';
import { TEST_AUDIT_CHAIN_KEY, TEST_PSEUDONYM_SECRET, type ActingAs } from './support/test-security';

const START = '2027-01-04T02:00:00Z';
const TODAY = START.slice(0, 10);
const RUN_SCHEDULE = `mutation Run($input: RunPolicyScheduleInput!) {
  runPolicySchedule(input: $input) { inForce lapsed expired renewed remindersSent remindersCancelled }
}`;
/** Reminders go out at 09:00 Beijing time, 01:00 UTC, on their day. */
const dueAt = (expiryDate: string, daysBefore: number) => `${dayAfter(expiryDate, -daysBefore)}T01:00:00Z`;

describe.each(TEST_DIALECTS)('renewal reminders on %s', (dialect) => {
  let graph: GraphUnderTest;
  let auditStore: Knex;
  let cast: PolicyCast;
  const clock = new SettableClock(START);

  beforeAll(async () => {
    graph = await startGraph({ dialect, clock });
    auditStore = await openAuditStore(graph.databases.config);
    cast = await castFor(graph);
  }, 180_000);
  afterAll(async () => {
    await auditStore?.destroy();
    await graph?.close();
  });
  beforeEach(() => clock.set(START));

  const runSchedule = async (): Promise<PolicyScheduleResult> => (await graph.subgraphs['policies']!.jobs.runNow(POLICY_SCHEDULE_JOB)) as PolicyScheduleResult;
  const reminders = async (policyNo: string) => (await readPolicy(graph, policyNo, cast.manager)).renewalReminders ?? [];

  /** A policy in force from today for `termDays` days, of the cast's customer or another of the manager's. */
  async function inForce(termDays: number, customerId = cast.customerId, manager = cast.manager): Promise<PolicyView> {
    const quoted = answered(
      await mutatePolicy(
        graph,
        'quotePolicy',
        {
          customerId,
          productCode: 'PRO-HOM',
          channel: 'AGENT',
          effectiveDate: TODAY,
          expiryDate: dayAfter(TODAY, termDays),
          sumInsured: 500_000,
          writtenPremium: 880,
        },
        manager,
      ),
      'quotePolicy',
    );
    return answered(await mutatePolicy(graph, 'bindPolicy', { policyNo: quoted.policyNo, expectedVersion: 1, premiumPaid: true }, manager), 'bindPolicy');
  }

  it('sends exactly the 60, 30, 15 and 7 day reminders as the days pass, each once', async () => {
    const policy = await inForce(90);
    expect(policy.status).toBe('IN_FORCE');
    const expiry = policy.expiryDate;
    // Day by day, running the job several times a day, from today to the expiry date; each week the
    // manager looks at what went out so far.
    const seen: number[][] = [];
    for (let day = 0; day <= 90; day++) {
      for (const hour of ['00:30', '01:00', '13:00']) {
        clock.set(`${dayAfter(TODAY, day)}T${hour}:00Z`);
        await runSchedule();
      }
      if (day % 7 === 6) seen.push((await reminders(policy.policyNo)).map((reminder) => reminder.daysBefore));
    }
    // Each reminder appears in the week it falls due (days 30, 60, 75 and 83 of the term) and stays alone.
    expect(seen.map((sentSoFar) => sentSoFar.length)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 4, 4]);
    const sent = await reminders(policy.policyNo);
    expect(sent.map(({ daysBefore, status, dueAt: due, sentAt }) => ({ daysBefore, status, dueAt: due, sentAt }))).toEqual(
      [60, 30, 15, 7].map((daysBefore) => ({ daysBefore, status: 'SENT', dueAt: dueAt(expiry, daysBefore), sentAt: dueAt(expiry, daysBefore) })),
    );
    // And the policy expired on its day, with nobody renewing it.
    expect((await readPolicy(graph, policy.policyNo, cast.manager)).status).toBe('EXPIRED');
    // Each reminder and the expiry are audited as the policy admin system's own changes (nobody asked for them).
    const records = await auditRecordsOf(auditStore, 'job:policy-schedule', `Policy:${policy.policyNo}`, 5);
    expect(records.map((record) => [record['staff_id'], record['role'], record['rule']])).toEqual(Array(5).fill(['system:policies', 'SYSTEM', 'system']));
    const fields = records.map((record) => Object.keys((JSON.parse(String(record['change'])) as { fields: object }).fields));
    expect(fields.sort()).toEqual([['renewalReminder.15'], ['renewalReminder.30'], ['renewalReminder.60'], ['renewalReminder.7'], ['status']]);
  });

  it('sends nothing twice when the job runs again, or two runs meet', async () => {
    const policy = await inForce(45);
    clock.set(dueAt(policy.expiryDate, 30));
    await Promise.all([runSchedule(), runSchedule(), runSchedule()]);
    await runSchedule();
    expect((await reminders(policy.policyNo)).map((reminder) => [reminder.daysBefore, reminder.status])).toEqual([[30, 'SENT']]);
  });

  it('after a pause sends only the reminder due now, not the ones it missed', async () => {
    const policy = await inForce(80);
    clock.set(`${dayAfter(policy.expiryDate, -10)}T06:00:00Z`);
    await runSchedule();
    expect((await reminders(policy.policyNo)).map((reminder) => reminder.daysBefore)).toEqual([15]);
  });

  it('sends none to a blacklisted customer once the blacklist change is delivered, and resumes when it is lifted', async () => {
    const other = await castFor(graph, [cast.customerId]);
    const policy = await inForce(70, other.customerId, other.manager);
    await sendBlacklistChange(graph, other.customerId, true, clock.now());
    expect(
      await waitUntil(
        () => policiesRefuse(graph, other.customerId),
        (refused) => refused,
      ),
    ).toBe(true);
    for (const daysBefore of [60, 30]) {
      clock.set(dueAt(policy.expiryDate, daysBefore));
      await runSchedule();
    }
    expect(await readPolicy(graph, policy.policyNo, other.manager)).toMatchObject({ renewalReminders: [] });
    await sendBlacklistChange(graph, other.customerId, false, clock.now());
    expect(
      await waitUntil(
        () => policiesRefuse(graph, other.customerId),
        (refused) => !refused,
      ),
    ).toBe(false);
    clock.set(dueAt(policy.expiryDate, 15));
    await runSchedule();
    expect((await readPolicy(graph, policy.policyNo, other.manager)).renewalReminders!.map((reminder) => reminder.daysBefore)).toEqual([15]);
  });

  it('runs now for a service-centre manager, in their branch only, once per idempotency key; nobody else may', async () => {
    const policy = await inForce(40);
    const elsewhere = await castFor(graph, [cast.customerId], cast.branchPath);
    const farPolicy = await inForce(40, elsewhere.customerId, elsewhere.manager);
    clock.set(dueAt(policy.expiryDate, 30));
    const run = (acting: ActingAs, idempotencyKey: string) =>
      graph.query<{ runPolicySchedule: Record<string, number> | null }>(RUN_SCHEDULE, { input: { idempotencyKey } }, acting);

    const first = await run(cast.serviceCentreManager, `run-${dialect}-1`);
    expect(first.errors).toBeUndefined();
    expect(first.data?.runPolicySchedule?.['remindersSent']).toBeGreaterThanOrEqual(1);
    expect((await reminders(policy.policyNo)).map((reminder) => [reminder.daysBefore, reminder.status])).toEqual([[30, 'SENT']]);
    // Another branch's policy is not this manager's to remind.
    expect((await readPolicy(graph, farPolicy.policyNo, elsewhere.manager)).renewalReminders).toEqual([]);
    // A retry answers the first run's counts; a new run finds nothing more due in the branch.
    expect((await run(cast.serviceCentreManager, `run-${dialect}-1`)).data?.runPolicySchedule).toEqual(first.data?.runPolicySchedule);
    expect((await run(cast.serviceCentreManager, `run-${dialect}-2`)).data?.runPolicySchedule).toMatchObject({ remindersSent: 0 });
    for (const someoneElse of [cast.manager, cast.operator]) {
      expect(firstError(await run(someoneElse, `run-${dialect}-3`))).toMatchObject({
        code: 'FORBIDDEN_ACTION',
        action: 'policy.renewalReminders.run',
        reason: 'NOT_GRANTED',
      });
    }
    // The process's own run covers every branch.
    await runSchedule();
    expect((await readPolicy(graph, farPolicy.policyNo, elsewhere.manager)).renewalReminders!.map((reminder) => reminder.daysBefore)).toEqual([30]);
  });

  it('stops reminding once the renewal is bound', async () => {
    const policy = await inForce(70);
    clock.set(dueAt(policy.expiryDate, 60));
    await runSchedule();
    const renewal = answered(await mutatePolicy(graph, 'renewPolicy', { policyNo: policy.policyNo, expectedVersion: 2 }, cast.manager), 'renewPolicy');
    answered(await mutatePolicy(graph, 'bindPolicy', { policyNo: renewal.policyNo, expectedVersion: 1, premiumPaid: true }, cast.manager), 'bindPolicy');
    for (const daysBefore of [30, 15, 7]) {
      clock.set(dueAt(policy.expiryDate, daysBefore));
      await runSchedule();
    }
    expect((await reminders(policy.policyNo)).map((reminder) => [reminder.daysBefore, reminder.status])).toEqual([[60, 'SENT']]);
  });

  it('runs once from the command line, on the system clock, and says what it did', async () => {
    // The command reads the real time: a policy quoted on the settable clock set to now, expiring in 20 days,
    // has its 30-day reminder due (and its 15-day one not yet).
    clock.set(new Date());
    const today = clock.now().toISOString().slice(0, 10);
    const quoted = answered(
      await mutatePolicy(
        graph,
        'quotePolicy',
        {
          customerId: cast.customerId,
          productCode: 'LIA-PER',
          channel: 'ONLINE',
          effectiveDate: today,
          expiryDate: dayAfter(today, 20),
          sumInsured: 100_000,
          writtenPremium: 120,
        },
        cast.manager,
      ),
      'quotePolicy',
    );
    answered(await mutatePolicy(graph, 'bindPolicy', { policyNo: quoted.policyNo, expectedVersion: 1, premiumPaid: true }, cast.manager), 'bindPolicy');
    const { config } = graph.databases;
    const env = {
      ...process.env,
      DATA_DIR: config.dataDir,
      MYSQL_URL: config.mysqlUrl ?? '',
      MYSQL_DATABASE_PREFIX: config.mysqlDatabasePrefix,
      // The graph's audit keys, as a deployment gives the command the subgraph's own.
      AUDIT_PSEUDONYM_SECRET: TEST_PSEUDONYM_SECRET,
      AUDIT_CHAIN_KEY: TEST_AUDIT_CHAIN_KEY,
    };
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, '..', 'subgraphs', 'policies', 'dist', 'run-policy-schedule.js')], { env });
    const printed = JSON.parse(stdout) as { job: string; result: PolicyScheduleResult };
    expect(printed.job).toBe(POLICY_SCHEDULE_JOB);
    expect(printed.result.reminders.sent).toBeGreaterThanOrEqual(1);
    expect((await reminders(quoted.policyNo)).map((reminder) => [reminder.daysBefore, reminder.status])).toEqual([[30, 'SENT']]);
    // The command's writes are audited as the timer's are, before it exits.
    const [sent] = await auditRecordsOf(auditStore, 'job:policy-schedule', `Policy:${quoted.policyNo}`, 1);
    expect(sent).toMatchObject({ staff_id: 'system:policies', role: 'SYSTEM' });
  });
});
