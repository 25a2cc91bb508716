/**
 * The blacklist through the gateway (README "Mutations"; DOMAIN.md section 5): propose → approve (a second person,
 * never the proposer) → lifted or expired, a proposal rejected, reviewed yearly, expiry from the clock. Every change
 * is an event the policy admin system applies to its refusal state: once delivered — the tests wait for the
 * delivery, never a fixed time — quote answers CUSTOMER_BLACKLISTED; also when policies was down as the change was
 * made, over HTTP and NATS JetStream. Each rule every mutation keeps: authorised by the policy's actions, validated,
 * idempotent, no lost updates, audited without clear values — on SQLite and MariaDB.
 */
import { loadAccessPolicy, openAuditStore, SettableClock, type Knex } from '@icg/shared';
import { BLACKLIST_EXPIRY_JOB } from '@icg/subgraph-customers';
import { auditRecordsOf, customerCasts, dataOf, mutate, onlyError, waitForDeliveries, type CustomerCast } from './support/crm-workflows';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { STORES_AND_TRANSPORTS_UNDER_TEST } from './support/stores-and-transports';
import { mutatePolicy } from './support/policy-workflow';
import { TEST_DIALECTS } from './support/test-database';
import { AUDITOR, type ActingAs } from './support/test-security';

const POLICY_VERSION = loadAccessPolicy().version;
const START = '2026-12-01T02:00:00.000Z';
const REASON = '多次恶意拖欠保费并提供虚假投保资料';

const ENTRY =
  'id version status proposedBy { id } approvedBy { id } rejectedBy { id } liftedBy { id } expiredBy { id } lastReviewedBy { id } activatedAt liftedAt expiredAt rejectedAt lastReviewedAt reviewDue reviewOverdue';
const PROPOSE = `mutation Propose($customerId: ID!, $reason: String!, $key: String!) {
  proposeBlacklistEntry(customerId: $customerId, reason: $reason, idempotencyKey: $key) { ${ENTRY} } }`;
const step = (name: string) => `mutation ${name[0]!.toUpperCase()}${name.slice(1)}($id: ID!, $version: Int!, $key: String!) {
  ${name}BlacklistEntry(entryId: $id, expectedVersion: $version, idempotencyKey: $key) { ${ENTRY} } }`;
const APPROVE = step('approve');
const REJECT = step('reject');
const REVIEW = step('review');
const LIFT = step('lift');
const EXPIRE = step('expire');
const READ = `query Read($id: ID!) { customer(id: $id) { blacklisted blacklistEntries { ${ENTRY} reason } } }`;

interface Entry {
  id: string;
  version: number;
  status: string;
  reason?: string | null;
  reviewDue: string | null;
  reviewOverdue: boolean;
  [field: string]: unknown;
}

describe.each(TEST_DIALECTS)('the blacklist through the gateway on %s', (dialect) => {
  let graph: GraphUnderTest;
  let auditStore: Knex;
  let casts: CustomerCast[];
  const clock = new SettableClock(START);

  beforeAll(async () => {
    graph = await startGraph({ dialect, clock, customers: 120 });
    auditStore = await openAuditStore(graph.databases.config);
    casts = await customerCasts(graph);
  }, 240_000);
  afterAll(async () => {
    await auditStore?.destroy();
    await graph?.close();
  });
  beforeEach(() => clock.set(START));

  /** A customer no other test of the suite touches. */
  const freshCustomer = (): CustomerCast => {
    const cast = casts.shift();
    if (!cast) throw new Error('no seeded customer left for this suite');
    return cast;
  };

  async function proposed(cast: CustomerCast, as: ActingAs = cast.manager, reason = REASON): Promise<Entry> {
    return dataOf(await mutate<{ proposeBlacklistEntry: Entry }>(graph, PROPOSE, { customerId: cast.customerId, reason }, as)).proposeBlacklistEntry;
  }
  async function stepped(document: string, entry: Entry, as: ActingAs): Promise<Entry> {
    const response = await mutate<Record<string, Entry>>(graph, document, { id: entry.id, version: entry.version }, as);
    return Object.values(dataOf(response))[0]!;
  }
  async function active(cast: CustomerCast): Promise<Entry> {
    return stepped(APPROVE, await proposed(cast), cast.cityServiceCentre);
  }
  async function readCustomer(cast: CustomerCast, as: ActingAs = AUDITOR) {
    return dataOf(await graph.query<{ customer: { blacklisted: boolean; blacklistEntries: Entry[] } }>(READ, { id: cast.customerId }, as)).customer;
  }
  const quote = (cast: CustomerCast) =>
    mutatePolicy(
      graph,
      'quotePolicy',
      {
        customerId: cast.customerId,
        productCode: 'PRO-HOM',
        channel: 'DIRECT',
        effectiveDate: clock.now().toISOString().slice(0, 10),
        sumInsured: 300_000,
        writtenPremium: 600,
      },
      cast.manager,
      'policyNo status',
    );
  const aggregate = (cast: CustomerCast) => `Customer:${cast.customerId}`;
  /** totalCount of the blacklisted customers and of the others, as the gateway answers it. */
  const blacklistedTotals = async () => {
    const response = await graph.query<Record<string, { totalCount: number }>>(
      '{ on: customers(first: 1, filter: { blacklisted: true }) { totalCount } off: customers(first: 1, filter: { blacklisted: false }) { totalCount } }',
    );
    return { on: dataOf(response).on!.totalCount, off: dataOf(response).off!.totalCount };
  };
  /** The same, as the customer rows count them. */
  const blacklistedRows = async () => {
    const rows = (await graph.subgraphs['customers']!.db('customers').select('blacklisted')) as { blacklisted: number | boolean }[];
    const on = rows.filter((row) => Boolean(Number(row.blacklisted))).length;
    return { on, off: rows.length - on };
  };
  /** The statuses the customers system told policies, in order. */
  const sentStatuses = async (cast: CustomerCast) =>
    (
      (await graph.subgraphs['customers']!.db('write_side_event_outbox')
        .where({ aggregate: aggregate(cast) })
        .orderBy('sequence')
        .select('payload')) as {
        payload: string;
      }[]
    ).map((row) => (JSON.parse(row.payload) as { status: string }).status);

  describe('the happy path', () => {
    it('a manager proposes, the service centre approves: policies refuses the customer once the change is delivered, serves it again once lifted', async () => {
      const cast = freshCustomer();
      const entry = await proposed(cast);
      expect(entry).toMatchObject({ status: 'PROPOSED', version: 1, proposedBy: { id: cast.manager.staffId }, approvedBy: null, reviewDue: null });
      // Read back with a stated purpose (the auditor's): the reason as proposed.
      expect(await readCustomer(cast)).toMatchObject({ blacklisted: false, blacklistEntries: [{ id: entry.id, reason: REASON }] });

      const approved = await stepped(APPROVE, entry, cast.cityServiceCentre);
      expect(approved).toMatchObject({
        status: 'ACTIVE',
        version: 2,
        approvedBy: { id: cast.cityServiceCentre.staffId },
        activatedAt: '2026-12-01T02:00:00Z',
        // Reviewed a year after it became active.
        reviewDue: '2027-12-01',
        reviewOverdue: false,
      });
      expect((await readCustomer(cast)).blacklisted).toBe(true);
      expect(await blacklistedTotals()).toEqual(await blacklistedRows());

      // The refusal follows the delivery: once policies confirmed both events (its commit), a quote is refused.
      await waitForDeliveries(graph, 'customers', 'policies', aggregate(cast), 2);
      expect(onlyError(await quote(cast))).toMatchObject({ code: 'CUSTOMER_BLACKLISTED' });

      const lifted = await stepped(LIFT, approved, cast.cityServiceCentre);
      expect(lifted).toMatchObject({ status: 'LIFTED', version: 3, liftedBy: { id: cast.cityServiceCentre.staffId }, reviewDue: null });
      expect((await readCustomer(cast)).blacklisted).toBe(false);
      expect(await blacklistedTotals()).toEqual(await blacklistedRows());
      await waitForDeliveries(graph, 'customers', 'policies', aggregate(cast), 3);
      expect(dataOf(await quote(cast)).quotePolicy).toMatchObject({ status: 'QUOTED' });
      expect(await sentStatuses(cast)).toEqual(['PROPOSED', 'ACTIVE', 'LIFTED']);
    });

    it('a second person may reject a proposal; the customer may be proposed again afterwards', async () => {
      const cast = freshCustomer();
      const entry = await proposed(cast, cast.claimsAdjuster);
      const rejected = await stepped(REJECT, entry, cast.cityServiceCentre);
      expect(rejected).toMatchObject({ status: 'REJECTED', rejectedBy: { id: cast.cityServiceCentre.staffId }, rejectedAt: '2026-12-01T02:00:00Z' });
      const again = await proposed(cast);
      expect(again.status).toBe('PROPOSED');
      expect((await readCustomer(cast)).blacklistEntries.map((row) => row.status)).toEqual(['REJECTED', 'PROPOSED']);
    });

    it('is reviewed yearly: the review keeps it a year longer; nobody reviewing it, the schedule expires it and policies serves the customer again', async () => {
      const cast = freshCustomer();
      const entry = await active(cast);
      // Shown overdue once its review day has passed by the clock.
      clock.set('2027-12-01T23:00:00Z');
      expect((await readCustomer(cast)).blacklistEntries[0]).toMatchObject({ reviewDue: '2027-12-01', reviewOverdue: false });
      clock.set('2027-11-20T03:00:00Z');
      const reviewed = await stepped(REVIEW, entry, cast.cityServiceCentre);
      expect(reviewed).toMatchObject({ status: 'ACTIVE', version: 3, reviewDue: '2028-11-20', lastReviewedBy: { id: cast.cityServiceCentre.staffId } });

      clock.set('2028-11-21T01:00:00Z');
      expect((await readCustomer(cast)).blacklistEntries[0]).toMatchObject({ status: 'ACTIVE', reviewOverdue: true });
      await graph.subgraphs['customers']!.jobs.runNow(BLACKLIST_EXPIRY_JOB);
      const customer = await readCustomer(cast);
      expect(customer.blacklisted).toBe(false);
      expect(await blacklistedTotals()).toEqual(await blacklistedRows());
      expect(customer.blacklistEntries[0]).toMatchObject({
        status: 'EXPIRED',
        version: 4,
        expiredAt: '2028-11-21T01:00:00Z',
        expiredBy: null,
        reviewDue: null,
      });
      // The expiry is audited as the customers system's own change (no person expired it): the entry's versions.
      const [expiry] = await auditRecordsOf(auditStore, 'job:blacklist-expiry', `BlacklistEntry:${entry.id}`, 1);
      expect(expiry).toMatchObject({ staff_id: 'system:customers', role: 'SYSTEM', purpose: null, decision: 'ALLOW', rule: 'system' });
      expect(JSON.parse(String(expiry!['change']))).toMatchObject({ beforeVersion: 3, afterVersion: 4 });
      await waitForDeliveries(graph, 'customers', 'policies', aggregate(cast), 4);
      // The policy admin system's refusal state moved with the event, audited under the event's id at both ends.
      const [refusal] = await auditRecordsOf(auditStore, 'event:customer.blacklist-changed', `BlacklistRefusal:${cast.customerId}`, 4);
      expect(refusal).toMatchObject({ staff_id: 'system:policies', role: 'SYSTEM' });
      expect(dataOf(await quote(cast)).quotePolicy).toMatchObject({ status: 'QUOTED' });
      // Run again, the schedule finds nothing more to expire.
      expect(await graph.subgraphs['customers']!.jobs.runNow(BLACKLIST_EXPIRY_JOB)).toEqual({ expired: 0 });
    });

    it('lets the reviewer expire an entry from its review day on, not before', async () => {
      const cast = freshCustomer();
      const entry = await active(cast);
      clock.set('2027-11-30T23:59:00Z');
      const early = await mutate(graph, EXPIRE, { id: entry.id, version: entry.version }, cast.cityServiceCentre);
      expect(onlyError(early)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'entryId', reason: expect.stringContaining('2027-12-01') });
      clock.set('2027-12-01T01:00:00Z');
      expect(await stepped(EXPIRE, entry, cast.cityServiceCentre)).toMatchObject({ status: 'EXPIRED', expiredBy: { id: cast.cityServiceCentre.staffId } });
    });
  });

  describe('illegal transitions get INVALID_TRANSITION with the current state and the states allowed next', () => {
    it('refuses approving an active entry, lifting or reviewing a proposal, and any step on a lifted one', async () => {
      const cast = freshCustomer();
      const entry = await proposed(cast);
      // A review is no approval: only an ACTIVE entry is reviewed, lifted or expired.
      for (const document of [LIFT, REVIEW, EXPIRE]) {
        expect(onlyError(await mutate(graph, document, { id: entry.id, version: 1 }, cast.cityServiceCentre))).toMatchObject({
          code: 'INVALID_TRANSITION',
          currentState: 'PROPOSED',
          allowed: ['ACTIVE', 'REJECTED'],
        });
      }
      expect(await readCustomer(cast)).toMatchObject({ blacklisted: false, blacklistEntries: [{ status: 'PROPOSED', version: 1 }] });
      const approved = await stepped(APPROVE, entry, cast.cityServiceCentre);
      expect(onlyError(await mutate(graph, APPROVE, { id: entry.id, version: 2 }, cast.provinceServiceCentre))).toMatchObject({
        code: 'INVALID_TRANSITION',
        currentState: 'ACTIVE',
        requestedState: 'ACTIVE',
        allowed: ['ACTIVE', 'LIFTED', 'EXPIRED'],
      });
      const lifted = await stepped(LIFT, approved, cast.cityServiceCentre);
      for (const document of [APPROVE, REJECT, REVIEW, LIFT, EXPIRE]) {
        expect(onlyError(await mutate(graph, document, { id: lifted.id, version: lifted.version }, cast.cityServiceCentre))).toMatchObject({
          code: 'INVALID_TRANSITION',
          currentState: 'LIFTED',
          allowed: [],
        });
      }
    });

    it('refuses a second proposal while one is open, naming the open entry’s state', async () => {
      const cast = freshCustomer();
      await proposed(cast);
      const second = await mutate(graph, PROPOSE, { customerId: cast.customerId, reason: REASON }, cast.cityServiceCentre);
      expect(onlyError(second)).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'PROPOSED', requestedState: 'PROPOSED' });
      expect((await readCustomer(cast)).blacklistEntries).toHaveLength(1);
    });
  });

  describe('authorisation by the policy’s actions', () => {
    it('refuses proposing to a hotline agent (not granted) and for another manager’s customer (not their own)', async () => {
      const cast = freshCustomer();
      expect(onlyError(await mutate(graph, PROPOSE, { customerId: cast.customerId, reason: REASON }, cast.hotlineAgent))).toMatchObject({
        code: 'FORBIDDEN_ACTION',
        action: 'blacklist.propose',
        reason: 'NOT_GRANTED',
        policyVersion: POLICY_VERSION,
      });
      expect(onlyError(await mutate(graph, PROPOSE, { customerId: cast.customerId, reason: REASON }, cast.otherManager))).toMatchObject({
        code: 'FORBIDDEN_ACTION',
        action: 'blacklist.propose',
        reason: 'OUT_OF_SCOPE',
      });
      expect((await readCustomer(cast)).blacklistEntries).toEqual([]);
    });

    it('never lets the proposer approve (two-person rule); a manager may not approve, nor another province’s service centre', async () => {
      const cast = freshCustomer();
      const entry = await proposed(cast, cast.cityServiceCentre);
      const refusals: [ActingAs, string][] = [
        [cast.cityServiceCentre, 'SECOND_PERSON'],
        [cast.manager, 'NOT_GRANTED'],
        [cast.farServiceCentre, 'OUT_OF_SCOPE'],
      ];
      for (const [as, reason] of refusals)
        expect(onlyError(await mutate(graph, APPROVE, { id: entry.id, version: 1 }, as))).toMatchObject({
          code: 'FORBIDDEN_ACTION',
          action: 'blacklist.approve',
          reason,
        });
      expect((await readCustomer(cast)).blacklisted).toBe(false);
      // The province's service centre is a second person with the city in its scope.
      expect(await stepped(APPROVE, entry, cast.provinceServiceCentre)).toMatchObject({
        status: 'ACTIVE',
        approvedBy: { id: cast.provinceServiceCentre.staffId },
      });
      const refused = await auditRecordsOf(auditStore, 'blacklist.approve', `BlacklistEntry:${entry.id}`, 4);
      expect(refused.map((row) => row['decision']).sort()).toEqual(['ALLOW', 'DENY', 'DENY', 'DENY']);
    });
  });

  describe('idempotency and lost updates', () => {
    it('answers a retry with the same key and input with the first result, one event and one audit record, no reason in clear', async () => {
      const cast = freshCustomer();
      const entry = await proposed(cast);
      const key = 'approve-once';
      const first = await mutate<{ approveBlacklistEntry: Entry }>(graph, APPROVE, { id: entry.id, version: 1, key }, cast.cityServiceCentre);
      const retry = await mutate<{ approveBlacklistEntry: Entry }>(graph, APPROVE, { id: entry.id, version: 1, key }, cast.cityServiceCentre);
      expect(dataOf(retry).approveBlacklistEntry).toEqual(dataOf(first).approveBlacklistEntry);
      expect(await sentStatuses(cast)).toEqual(['PROPOSED', 'ACTIVE']);
      const records = await auditRecordsOf(auditStore, 'blacklist.approve', `BlacklistEntry:${entry.id}`, 1);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ decision: 'ALLOW', rule: 'blacklist.approve/SERVICE_CENTER_MANAGER/BRANCH', policy_version: POLICY_VERSION });
      expect(JSON.parse(String(records[0]!['change']))).toMatchObject({ beforeVersion: 1, afterVersion: 2 });
      const proposal = await auditRecordsOf(auditStore, 'blacklist.propose', `BlacklistEntry:${entry.id}`, 1);
      expect(JSON.stringify(proposal)).not.toContain(REASON);

      const reused = await mutate(graph, APPROVE, { id: entry.id, version: 2, key }, cast.cityServiceCentre);
      expect(onlyError(reused)).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    });

    it('refuses a stale version with CONFLICT and the current version', async () => {
      const cast = freshCustomer();
      const entry = await active(cast);
      const stale = await mutate(graph, LIFT, { id: entry.id, version: 1 }, cast.cityServiceCentre);
      expect(onlyError(stale)).toMatchObject({ code: 'CONFLICT', entity: 'BlacklistEntry', expectedVersion: 1, currentVersion: 2 });
      expect((await readCustomer(cast)).blacklisted).toBe(true);
    });
  });

  describe('input and the reason', () => {
    it('names the field and the reason of bad input', async () => {
      const cast = freshCustomer();
      const cases: [Record<string, unknown>, string][] = [
        [{ customerId: cast.customerId, reason: '   ' }, 'reason'],
        [{ customerId: cast.customerId, reason: '欺诈'.repeat(251) }, 'reason'],
        // A reason is CREDIT, not HEALTH: health facts are refused.
        [{ customerId: cast.customerId, reason: '伪造住院病历骗取保险金' }, 'reason'],
        [{ customerId: 'C-1', reason: REASON }, 'customerId'],
      ];
      for (const [variables, field] of cases)
        expect(onlyError(await mutate(graph, PROPOSE, variables, cast.manager))).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: field });
      expect(onlyError(await mutate(graph, APPROVE, { id: '99999999', version: 1 }, cast.cityServiceCentre))).toMatchObject({
        code: 'NOT_FOUND',
        argumentName: 'entryId',
      });
    });

    it('keeps the reason RESTRICTED: the manager who proposed it reads the entry without it', async () => {
      const cast = freshCustomer();
      await proposed(cast);
      const read = await graph.query<{ customer: { blacklistEntries: { status: string; reason: string | null }[] } }>(
        `query ($id: ID!) { customer(id: $id) { blacklistEntries { status reason } } }`,
        { id: cast.customerId },
        cast.manager,
      );
      expect(read.data!.customer.blacklistEntries).toEqual([{ status: 'PROPOSED', reason: null }]);
      expect(read.errors?.map((error) => error.extensions?.['code'])).toEqual(['FORBIDDEN_FIELD']);
    });
  });
});

/**
 * Nothing lost across systems: the policy admin system is down while the customers system blacklists a customer
 * and later lifts the entry; each change reaches it exactly once, in order, when it is back — over HTTP on SQLite and
 * MariaDB, and over NATS JetStream on MariaDB (support/stores-and-transports.ts).
 */
describe.each(STORES_AND_TRANSPORTS_UNDER_TEST)('blacklist changes reach a policies subgraph that was down, on %s over %s', (dialect, transport) => {
  let graph: GraphUnderTest;
  let cast: CustomerCast;
  const clock = new SettableClock(START);

  beforeAll(async () => {
    graph = await startGraph({ dialect, clock, eventTransport: transport });
    [cast] = (await customerCasts(graph)) as [CustomerCast];
  }, 240_000);
  afterAll(async () => {
    await graph?.close();
  });

  const quote = () =>
    mutatePolicy(
      graph,
      'quotePolicy',
      { customerId: cast.customerId, productCode: 'PRO-HOM', channel: 'DIRECT', effectiveDate: '2026-12-01', sumInsured: 300_000, writtenPremium: 600 },
      cast.manager,
      'policyNo status',
    );
  const refusalRows = async () =>
    (
      (await graph.subgraphs['policies']!.db('blacklist_refusals').where('customer_id', cast.customerId).select('blacklisted', 'status')) as {
        blacklisted: number | boolean;
        status: string;
      }[]
    ).map((row) => ({ blacklisted: row.blacklisted === true || row.blacklisted === 1, status: row.status }));
  const inbox = async () =>
    (
      (await graph.subgraphs['policies']!.db('write_side_event_inbox')
        .where({ aggregate: `Customer:${cast.customerId}` })
        .orderBy('sequence')
        .select('type')) as {
        type: string;
      }[]
    ).length;

  it('applies each change exactly once when policies is back: refused after the approval, served after the lift', async () => {
    const entry = dataOf(
      await mutate<{ proposeBlacklistEntry: Entry }>(graph, PROPOSE, { customerId: cast.customerId, reason: REASON }, cast.manager),
    ).proposeBlacklistEntry;
    await graph.stopSubgraph('policies');
    const approved = dataOf(
      await mutate<{ approveBlacklistEntry: Entry }>(graph, APPROVE, { id: entry.id, version: 1 }, cast.cityServiceCentre),
    ).approveBlacklistEntry;
    expect(approved.status).toBe('ACTIVE');
    await graph.restartSubgraph('policies');
    await waitForDeliveries(graph, 'customers', 'policies', `Customer:${cast.customerId}`, 2);
    expect(await refusalRows()).toEqual([{ blacklisted: true, status: 'ACTIVE' }]);
    expect(onlyError(await quote())).toMatchObject({ code: 'CUSTOMER_BLACKLISTED' });

    await graph.stopSubgraph('policies');
    dataOf(await mutate(graph, LIFT, { id: entry.id, version: 2 }, cast.cityServiceCentre));
    await graph.restartSubgraph('policies');
    await waitForDeliveries(graph, 'customers', 'policies', `Customer:${cast.customerId}`, 3);
    expect(await refusalRows()).toEqual([{ blacklisted: false, status: 'LIFTED' }]);
    // Exactly once: one inbox entry per change (proposed, approved, lifted), one refusal row.
    expect(await inbox()).toBe(3);
    expect(dataOf(await quote()).quotePolicy).toMatchObject({ status: 'QUOTED' });
  });
});
