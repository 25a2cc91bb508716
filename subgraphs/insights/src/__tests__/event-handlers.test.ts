/**
 * The insights event handlers on a seeded insights store (SQLite and MariaDB): each event type moves the read model
 * and, in the same transaction, the customer's insight and warnings. Delivery itself (inbox, order, redelivery) is
 * the receiver's and tested with it (docs/events.md); the path from a mutation to the insight through the gateway is
 * tests/insights.test.ts.
 */
import {
  createEventRecorder,
  createLogger,
  EVENT_TYPES,
  openDatabase,
  RequestAuditTrail,
  SettableClock,
  SystemChanges,
  type EventEnvelope,
  type EventHandlerContext,
  type Knex,
} from '@icg/shared';
import { seedTestStore, type SeededStore } from '../../../../tests/support/seeded-subgraph';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import { insightsEventHandlers } from '../insights-event-handlers';
import { insightsSeeder } from '../seed';
import { insightRules, insightsSubgraph } from '../server';
import { hashAuditChange } from '@icg/shared';

const NOW = '2026-11-02T02:00:00.000Z';
const handlers = insightsEventHandlers(insightRules);
let sequence = 0;

function envelope(type: keyof typeof EVENT_TYPES, payload: Record<string, unknown>): EventEnvelope {
  sequence += 1;
  return {
    id: `0193b8f2-7c1e-7a01-9d3e-${String(sequence).padStart(12, '0')}`,
    type,
    producer: EVENT_TYPES[type].producer,
    aggregate: `Test:${sequence}`,
    sequence,
    occurredAt: NOW,
    payload,
  };
}

describe.each(TEST_DIALECTS)('insights event handlers on %s', (dialect) => {
  let store: SeededStore;
  let db: Knex;
  const clock = new SettableClock(NOW);
  const context: EventHandlerContext = {
    subgraph: 'insights',
    clock,
    logger: createLogger('insights-test', 'silent'),
    events: createEventRecorder({ producer: 'insights', catalog: EVENT_TYPES, clock }),
    // Handlers note what they change; these tests read the store (the receiver's tests check the audit of system changes).
    changes: new SystemChanges(
      new RequestAuditTrail({
        hashChange: (change) => hashAuditChange('test-pseudonym-secret-for-hashing', change),
        tryReserve: () => true,
        commitReserved: () => undefined,
        releaseReserved: () => undefined,
        healthy: () => true,
      }),
      { subgraph: 'insights', action: 'event:test', requestId: 'test', policyVersion: 'test', at: new Date(0) },
    ),
  };
  /** Applies one event as the receiver does: in a transaction, committed with the handler's writes. */
  const apply = (type: keyof typeof EVENT_TYPES, payload: Record<string, unknown>) =>
    db.transaction(async (trx) => {
      const handler = handlers[type] as ((trx: Knex.Transaction, event: EventEnvelope, context: EventHandlerContext) => Promise<void>) | undefined;
      if (!handler) throw new Error(`no handler for ${type}`);
      await handler(trx, envelope(type, payload), context);
    });
  const insightOf = async (customerId: string) =>
    (await db('customer_insights').where('customer_id', customerId).first()) as {
      classification: string;
      blacklisted: number | boolean;
      as_of: string;
      figures: string;
    };
  const liveWarnings = async (customerId: string) =>
    (await db('early_warnings').where('customer_id', customerId).whereNull('cleared_at').orderBy('id')) as {
      kind: string;
      status: string;
      subject_key: string;
    }[];
  const warnings = async (customerId: string) =>
    (await db('early_warnings').where('customer_id', customerId).orderBy('id')) as {
      kind: string;
      status: string;
      subject_key: string;
      cleared_at: string | null;
    }[];

  beforeAll(async () => {
    store = await seedTestStore({ manifest: insightsSubgraph, seeder: insightsSeeder, dialect, customers: 20 });
    db = openDatabase(store.databases.config, 'insights');
  });
  afterAll(async () => {
    await db?.destroy();
    await store?.databases.cleanup();
  });

  const customer = (index: number) => store.facts.customers.filter((fact) => !fact.blacklisted && fact.branchPath.split('/').length === 5)[index]!;

  it('a new customer gets an insight at once, in their scope; a blacklisting makes them BLACKLISTED', async () => {
    await apply('customer.registered', {
      customerId: '900001',
      customerNo: 'CU0000900001',
      kind: 'INDIVIDUAL',
      customerSince: '2026-11-02',
      branchId: '9',
      branchPath: '/1/3/9/',
      primaryManagerStaffId: '77',
    });
    expect(await insightOf('900001')).toMatchObject({ classification: 'NORMAL', branch_path: '/1/3/9/' });
    await apply('customer.blacklist-changed', {
      customerId: '900001',
      customerNo: 'CU0000900001',
      blacklisted: true,
      status: 'ACTIVE',
      effectiveAt: NOW,
    });
    expect(await insightOf('900001')).toMatchObject({ classification: 'BLACKLISTED' });
  });

  it('a bound policy expiring soon raises a renewal-due warning; its renewal clears it; a blacklisting clears the next', async () => {
    const holder = customer(0);
    const id = String(holder.id);
    const policy = { customerId: id, lineOfBusiness: 'MOTOR', writtenPremium: '3456.78', branchId: String(holder.branchId) };
    await apply('policy.bound', { ...policy, policyNo: 'PMO900000000001', effectiveDate: '2025-11-20', expiryDate: '2026-11-20' });
    expect(await liveWarnings(id)).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'RENEWAL_DUE', status: 'OPEN', subject_key: 'PMO900000000001' })]),
    );

    await apply('policy.renewed', {
      ...policy,
      policyNo: 'PMO900000000002',
      priorPolicyNo: 'PMO900000000001',
      effectiveDate: '2026-11-20',
      expiryDate: '2027-11-20',
    });
    await apply('policy.bound', { ...policy, policyNo: 'PMO900000000002', effectiveDate: '2026-11-20', expiryDate: '2027-11-20' });
    const renewalDue = (await warnings(id)).filter((warning) => warning.kind === 'RENEWAL_DUE' && warning.subject_key === 'PMO900000000001');
    // The finding stopped holding: cleared, and resolved by the system since nobody had.
    expect(renewalDue).toEqual([expect.objectContaining({ status: 'RESOLVED', cleared_at: expect.anything() })]);
    expect((await db('insight_policies').where('policy_no', 'PMO900000000002').first()) as object).toMatchObject({ renewal_of_policy_no: 'PMO900000000001' });

    await apply('policy.bound', { ...policy, policyNo: 'PMO900000000003', effectiveDate: '2025-11-25', expiryDate: '2026-11-25' });
    expect((await liveWarnings(id)).some((warning) => warning.subject_key === 'PMO900000000003')).toBe(true);
    await apply('customer.blacklist-changed', { customerId: id, customerNo: holder.customerNo, blacklisted: true, status: 'ACTIVE', effectiveAt: NOW });
    // Never a renewal reminder for a blacklisted customer.
    expect((await liveWarnings(id)).filter((warning) => warning.kind === 'RENEWAL_DUE')).toEqual([]);
  });

  it("a claim's reserve, payment and closing move the incurred amount behind the loss ratio", async () => {
    const holder = customer(1);
    const id = String(holder.id);
    const claim = { reportNo: 'RPT900000000001', customerId: id };
    await apply('claim.reported', {
      ...claim,
      policyNo: store.facts.policies.find((policy) => policy.customerId === holder.id)!.policyNo,
      lossDate: '2026-11-01',
      reportedAt: NOW,
      channel: 'APP',
      branchId: String(holder.branchId),
      ticketNo: null,
    });
    const incurred = async () => (JSON.parse((await insightOf(id)).figures) as { classification: { incurred36m: string } }).classification.incurred36m;
    const before = Number(await incurred());
    await apply('claim.reserve-changed', { ...claim, outstandingReserve: '8000.00', changedAt: NOW });
    expect(Number(await incurred())).toBeCloseTo(before + 8000, 2);
    await apply('claim.paid', { ...claim, amount: '3000.00', paidAt: NOW });
    // Paid 3,000 out of the 8,000 reserve: incurred stays 8,000.
    expect(Number(await incurred())).toBeCloseTo(before + 8000, 2);
    expect((await db('insight_claims').where('report_no', 'RPT900000000001').first()) as object).toMatchObject({ status: 'PAID' });
    await apply('claim.closed', {
      ...claim,
      policyNo: 'PMO900000000001',
      outcome: 'PAID',
      closedAt: NOW,
      branchId: String(holder.branchId),
      branchPath: holder.branchPath,
      customerManagerStaffId: null,
      customerSegment: null,
    });
    // Closed: the reserve is released, what was paid stays incurred.
    expect(Number(await incurred())).toBeCloseTo(before + 3000, 2);
  });

  it('claims on the object a policy and its renewal insure are counted together; a claim on a policy of several objects is not', async () => {
    const holder = customer(3);
    const id = String(holder.id);
    const branchId = String(holder.branchId);
    const policy = { customerId: id, lineOfBusiness: 'MOTOR', writtenPremium: '2000.00', branchId };
    await apply('policy.bound', {
      ...policy,
      policyNo: 'PMO900000000011',
      effectiveDate: '2025-09-01',
      expiryDate: '2026-09-01',
      insuredObjectKeys: ['990000001'],
    });
    await apply('policy.renewed', {
      ...policy,
      policyNo: 'PMO900000000012',
      priorPolicyNo: 'PMO900000000011',
      effectiveDate: '2026-09-01',
      expiryDate: '2027-09-01',
      insuredObjectKeys: ['990000001'],
    });
    // A fleet policy: a claim on it does not say which of its two vehicles.
    await apply('policy.bound', {
      ...policy,
      policyNo: 'PMO900000000013',
      effectiveDate: '2026-01-01',
      expiryDate: '2027-01-01',
      insuredObjectKeys: ['990000002', '990000003'],
    });
    const report = (reportNo: string, policyNo: string, lossDate: string) =>
      apply('claim.reported', {
        reportNo,
        customerId: id,
        policyNo,
        lossDate,
        reportedAt: `${lossDate}T02:00:00.000Z`,
        channel: 'APP',
        branchId,
        ticketNo: null,
      });
    const sameObject = async () => (await liveWarnings(id)).filter((warning) => warning.kind === 'MULTIPLE_CLAIMS_SAME_OBJECT');

    // NOW is 2026-11-02: the 90-day window starts on 2026-08-05.
    await report('RPT900000000011', 'PMO900000000011', '2026-08-04');
    await report('RPT900000000012', 'PMO900000000012', '2026-10-15');
    expect(await sameObject()).toEqual([]);
    await report('RPT900000000013', 'PMO900000000013', '2026-10-16');
    await report('RPT900000000014', 'PMO900000000013', '2026-10-17');
    expect(await sameObject()).toEqual([]);

    await report('RPT900000000015', 'PMO900000000011', '2026-08-05');
    expect(await sameObject()).toEqual([expect.objectContaining({ subject_key: '990000001', level: 'WARN' })]);
    expect((await db('insight_policies').whereIn('policy_no', ['PMO900000000012', 'PMO900000000013']).orderBy('policy_no')) as object[]).toEqual([
      expect.objectContaining({ insured_object_key: '990000001' }),
      expect.objectContaining({ insured_object_key: null }),
    ]);
  });

  it('a complaint near its deadline raises a warning, and its closing clears it', async () => {
    const holder = customer(2);
    const id = String(holder.id);
    await apply('complaint.registered', {
      complaintNo: 'CMP900000000001',
      customerId: id,
      category: 'SERVICE',
      source: 'DIRECT',
      registeredAt: '2026-10-20T02:00:00.000Z',
      dueDate: '2026-11-04',
      branchId: String(holder.branchId),
    });
    expect(await liveWarnings(id)).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'COMPLAINT_NEAR_DEADLINE', subject_key: 'CMP900000000001' })]),
    );
    await apply('complaint.closed', { complaintNo: 'CMP900000000001', customerId: id, closedAt: NOW, onTime: true });
    expect((await liveWarnings(id)).filter((warning) => warning.subject_key === 'CMP900000000001')).toEqual([]);
  });
});
