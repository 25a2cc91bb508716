/**
 * `npm run insights:refresh` (docs/insights.md, "Refresh"): rebuilds the read model in full from the graph, without
 * reading any other subgraph's database. Two phases, each restartable:
 *
 * 1. Facts: pages through `customers(first, after)` on the gateway, with each customer's policies, claims and
 *    complaints nested, under the insights' service identity; each page's facts replace those customers' facts in
 *    one transaction that also records the page's end cursor in `insight_refresh_runs`, writing only the rows that
 *    differ from the stored ones (a read model in step with the graph costs its database reads only). A first walk
 *    reads only the pages' cursors, so several pages are asked for at once (`concurrency`); they are stored in their
 *    order. Interrupted, the next run resumes after the last page it committed, with the same `asOf`.
 * 2. Insights: the org units' premium and the value cut-offs over the whole population, then every customer's
 *    insight and warnings recomputed, chunk by chunk, stamped with the run's `asOf`; the rules run on a worker thread
 *    (chunk-computer.ts) while chunks are read ahead and written. Local and idempotent: an interrupted phase 2 is done
 *    again from the start.
 *
 * Progress goes to `onProgress` ("facts 400 / 1000", "insights 1000 / 1000").
 */
import { randomUUID } from 'node:crypto';
import { inAuditedSystemTransaction, isDeadlock, jobAction, sqlTimestamp, toId, toIsoTimestamp, type Knex, type SystemChangeSink } from '@icg/shared';
import { UnitLeaderBoard, valueCutoffs, type InsightRules } from './rules';
import { toFen } from './metrics';
import { factChanges } from './fact-changes';
import { openChunkComputer } from './chunk-computer';
import type { RecomputeChunk } from './recompute-chunk';
import {
  soleObjectKeyOf,
  groupPremium12m,
  reconcileWarnings,
  saveFullRecompute,
  saveUnitLeaders,
  saveValueCutoffs,
  unitFiguresOf,
  UnitPremiumTally,
  type EarlyWarningRow,
  type InsightClaimRow,
  type InsightComplaintRow,
  type InsightCustomerRow,
  type InsightPolicyRow,
  type OrgUnitRow,
  type WarningChangeNote,
} from './read-model';

/** The most a connection serves per page (shared/src/pagination.ts). */
export const REFRESH_PAGE_SIZE = 200;
/**
 * Pages of phase 1 asked of the graph at once: the gateway, the subgraphs and their databases each work on one while
 * the others work on the next, where one page at a time kept each of them waiting for the rest.
 */
export const DEFAULT_FETCH_CONCURRENCY = 4;
/** Customers recomputed per transaction in phase 2. */
const COMPUTE_CHUNK = 500;
/** Chunks of phase 2 read and computed ahead of the ones being written. */
const CHUNKS_AHEAD = 3;
/** Chunks of phase 2 written at once, each in its own transaction. */
const WRITES_AT_ONCE = 2;
/** Tries of one chunk's transaction that InnoDB may end as a deadlock's victim (with the warning numbers of an event's). */
const CHUNK_TRIES = 3;

const CUSTOMER_PAGE_QUERY = `query InsightsRefreshPage($first: Int!, $after: String) {
  customers(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id customerNo kind customerSince blacklisted
      branch { id path }
      primaryManager { id }
      businessProfile { groupParent { id } }
      policies {
        policyNo lineOfBusiness status effectiveDate expiryDate boundAt terminatedAt terminationReason
        writtenPremium arrearsDays productCode priorPolicy { policyNo } issuingBranch { id } insuredObjects { objectKey }
      }
      claims {
        reportNo policy { policyNo } lossDate reportedAt registeredAt closedAt status closedOutcome
        paid outstandingReserve recoveries investigationOutcome branch { id }
      }
      complaints { complaintNo category source status acceptedAt registeredAt dueDate feedbackAt archivedAt respondentBranch { id } }
    }
  }
}`;

interface PageCustomer {
  id: string;
  customerNo: string;
  kind: string;
  customerSince: string;
  blacklisted: boolean;
  branch: { id: string; path: string } | null;
  primaryManager: { id: string } | null;
  businessProfile: { groupParent: { id: string } | null } | null;
  policies:
    | {
        policyNo: string;
        lineOfBusiness: InsightPolicyRow['line_of_business'];
        status: InsightPolicyRow['status'];
        effectiveDate: string;
        expiryDate: string;
        boundAt: string | null;
        terminatedAt: string | null;
        terminationReason: string | null;
        writtenPremium: number | null;
        arrearsDays: number;
        productCode: string;
        priorPolicy: { policyNo: string } | null;
        issuingBranch: { id: string } | null;
        insuredObjects: { objectKey: string }[] | null;
      }[]
    | null;
  claims:
    | {
        reportNo: string;
        policy: { policyNo: string };
        lossDate: string;
        reportedAt: string;
        registeredAt: string | null;
        closedAt: string | null;
        status: InsightClaimRow['status'];
        closedOutcome: InsightClaimRow['outcome'];
        paid: number | null;
        outstandingReserve: number | null;
        recoveries: number | null;
        investigationOutcome: 'FRAUD_CONFIRMED' | 'NO_FRAUD_FOUND' | null;
        branch: { id: string } | null;
      }[]
    | null;
  complaints:
    | {
        complaintNo: string;
        category: string;
        source: string;
        status: InsightComplaintRow['status'];
        acceptedAt: string;
        registeredAt: string | null;
        dueDate: string;
        feedbackAt: string | null;
        archivedAt: string | null;
        respondentBranch: { id: string } | null;
      }[]
    | null;
}

interface CustomerPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: PageCustomer[];
}

/** One GraphQL operation on the gateway, under the refresh's identity. */
export type GraphQLCaller = (
  query: string,
  variables: Record<string, unknown>,
) => Promise<{ data?: unknown; errors?: readonly { message: string; path?: readonly (string | number)[] }[] }>;

export interface RefreshOptions {
  db: Knex;
  rules: InsightRules;
  graphql: GraphQLCaller;
  /** When a new run starts (a resumed run keeps its own); now by default. */
  asOf?: Date;
  pageSize?: number;
  onProgress?: (line: string) => void;
  /** Stops (as an interruption would) after this many pages of phase 1: for tests of resuming. */
  stopAfterPages?: number;
  /** Checked before each page: true stops the run where it is (SIGINT), to be resumed. */
  stopRequested?: () => boolean;
  /** Pages asked of the graph at once in phase 1 (stored one after the other); DEFAULT_FETCH_CONCURRENCY by default. */
  concurrency?: number;
  /** Where phase 2's changes to early warnings are audited, as the insights system's (a command audit's trail). */
  changeAudit: SystemChangeSink;
  policyVersion: string;
}

/** The action the refresh's changes are audited under. */
export const REFRESH_ACTION = jobAction('insights-refresh');

export interface RefreshResult {
  runId: string;
  asOf: Date;
  resumed: boolean;
  /** False when stopped before the end (stopAfterPages or stopRequested). */
  completed: boolean;
  customers: number;
}

interface RunRow {
  run_id: string;
  started_at: string | Date;
  as_of: string | Date;
  status: 'RUNNING' | 'COMPUTING' | 'DONE';
  cursor: string | null;
  processed: number;
  total: number | null;
}

export class RefreshError extends Error {}

/** Amounts come back from the graph as numbers of yuan; stored as two-place decimal text, exact. */
const yuan = (value: number | null, field: string): string => {
  if (value === null) throw new RefreshError(`${field} came back null: the refresh identity may not read it`);
  return (toFen(value, field) / 100).toFixed(2);
};
const timestamp = (iso: string | null): string | null => (iso === null ? null : sqlTimestamp(new Date(iso)));

/** The graph's facts of one customer as read-model rows. */
export function rowsOfCustomer(
  customer: PageCustomer,
  at: string,
): { customer: InsightCustomerRow; policies: InsightPolicyRow[]; claims: InsightClaimRow[]; complaints: InsightComplaintRow[] } {
  const groupHead = customer.businessProfile?.groupParent?.id ?? null;
  return {
    customer: {
      customer_id: customer.id,
      customer_no: customer.customerNo,
      kind: customer.kind,
      customer_since: customer.customerSince,
      branch_id: customer.branch?.id ?? null,
      branch_path: customer.branch?.path ?? null,
      primary_manager_staff_id: customer.primaryManager?.id ?? null,
      group_head_customer_id: groupHead === customer.id ? null : groupHead,
      blacklisted: customer.blacklisted,
      updated_at: at,
    },
    policies: (customer.policies ?? []).map((policy) => {
      const terminatedOn = policy.terminatedAt === null ? null : policy.terminatedAt.slice(0, 10);
      return {
        policy_no: policy.policyNo,
        customer_id: customer.id,
        line_of_business: policy.lineOfBusiness,
        status: policy.status,
        effective_date: policy.effectiveDate,
        expiry_date: policy.expiryDate,
        bound_at: timestamp(policy.boundAt),
        product_code: policy.productCode,
        written_premium: yuan(policy.writtenPremium, `policy ${policy.policyNo} writtenPremium`),
        cancelled_on: policy.status === 'CANCELLED' ? terminatedOn : null,
        cancelled_for_non_payment: policy.terminationReason === 'NON_PAYMENT',
        lapsed_on: policy.status === 'LAPSED' ? terminatedOn : null,
        renewal_of_policy_no: policy.priorPolicy?.policyNo ?? null,
        arrears_days: policy.arrearsDays,
        branch_id: policy.issuingBranch?.id ?? null,
        insured_object_key: soleObjectKeyOf((policy.insuredObjects ?? []).map((object) => object.objectKey)),
        updated_at: at,
      };
    }),
    claims: (customer.claims ?? []).map((claim) => ({
      report_no: claim.reportNo,
      customer_id: customer.id,
      policy_no: claim.policy.policyNo,
      insured_object_key: null,
      loss_date: claim.lossDate,
      reported_at: timestamp(claim.reportedAt)!,
      registered_at: timestamp(claim.registeredAt),
      closed_at: timestamp(claim.closedAt),
      status: claim.status,
      outcome: claim.closedOutcome,
      paid: yuan(claim.paid, `claim ${claim.reportNo} paid`),
      outstanding_reserve: yuan(claim.outstandingReserve, `claim ${claim.reportNo} outstandingReserve`),
      recoveries: yuan(claim.recoveries, `claim ${claim.reportNo} recoveries`),
      fraud_confirmed: claim.investigationOutcome === null ? null : claim.investigationOutcome === 'FRAUD_CONFIRMED',
      branch_id: claim.branch?.id ?? null,
      updated_at: at,
    })),
    complaints: (customer.complaints ?? []).map((complaint) => ({
      complaint_no: complaint.complaintNo,
      customer_id: customer.id,
      category: complaint.category,
      source: complaint.source,
      status: complaint.status,
      accepted_at: timestamp(complaint.acceptedAt)!,
      registered_at: timestamp(complaint.registeredAt),
      due_date: complaint.dueDate,
      feedback_at: timestamp(complaint.feedbackAt),
      closed_at: timestamp(complaint.archivedAt),
      on_time: complaint.feedbackAt === null ? null : complaint.feedbackAt.slice(0, 10) <= complaint.dueDate,
      branch_id: complaint.respondentBranch?.id ?? null,
      updated_at: at,
    })),
  };
}

const INSERT_CHUNK = 100;
/** Rows inserted a chunk per statement; with `replaceOn`, a row whose key is there already replaces it. */
async function insertAll(trx: Knex.Transaction, table: string, rows: readonly object[], replaceOn?: string): Promise<void> {
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    const insert = trx(table).insert(rows.slice(start, start + INSERT_CHUNK));
    await (replaceOn ? insert.onConflict(replaceOn).merge() : insert);
  }
}

type PageRows = ReturnType<typeof rowsOfCustomer>;

/** The read model's tables of facts, each with its key and a page's rows of it. */
const FACT_TABLES: readonly { table: string; key: string; rowsOf: (rows: PageRows) => readonly object[]; deleteGone: boolean }[] = [
  // Customers are not deleted: a customer the graph no longer pages keeps its row (events may still name it).
  { table: 'insight_customers', key: 'customer_id', rowsOf: (rows) => [rows.customer], deleteGone: false },
  { table: 'insight_policies', key: 'policy_no', rowsOf: (rows) => rows.policies, deleteGone: true },
  { table: 'insight_claims', key: 'report_no', rowsOf: (rows) => rows.claims, deleteGone: true },
  { table: 'insight_complaints', key: 'complaint_no', rowsOf: (rows) => rows.complaints, deleteGone: true },
];

/**
 * One page's facts replace the read model's facts of those customers, with the checkpoint, in one transaction: only
 * the rows that changed are written and only the rows the graph no longer has are deleted (fact-changes.ts).
 */
async function storePage(db: Knex, run: RunRow, page: CustomerPage, at: string): Promise<void> {
  const rows = page.nodes.map((customer) => rowsOfCustomer(customer, at));
  const ids = page.nodes.map((customer) => customer.id);
  await db.transaction(async (trx) => {
    for (const { table, key, rowsOf, deleteGone } of FACT_TABLES) {
      const stored = (await trx(table).whereIn('customer_id', ids)) as object[];
      const { writes, deletions } = factChanges(stored, rows.flatMap(rowsOf), key);
      if (deleteGone && deletions.length > 0) await trx(table).whereIn(key, deletions).delete();
      await insertAll(trx, table, writes, key);
    }
    await trx('insight_refresh_runs')
      .where('run_id', run.run_id)
      .update({ cursor: page.pageInfo.endCursor, processed: run.processed + page.nodes.length, total: page.totalCount, updated_at: at });
  });
  run.cursor = page.pageInfo.endCursor;
  run.processed += page.nodes.length;
  run.total = page.totalCount;
}

const PAGE_STARTS_QUERY = `query InsightsRefreshPageStarts($first: Int!, $after: String) {
  customers(first: $first, after: $after) { pageInfo { hasNextPage endCursor } }
}`;

/** The cursor each page of the walk starts after, the first `after` included: pages of ids only, a small answer each. */
async function pageStarts(graphql: GraphQLCaller, first: number, after: string | null): Promise<(string | null)[]> {
  const starts: (string | null)[] = [after];
  for (;;) {
    const response = await graphql(PAGE_STARTS_QUERY, { first, after: starts.at(-1) ?? null });
    if (response.errors?.length) throw new RefreshError(`the graph refused the customers' page cursors: ${response.errors[0]!.message}`);
    const pageInfo = (response.data as { customers?: { pageInfo: { hasNextPage: boolean; endCursor: string | null } } } | undefined)?.customers?.pageInfo;
    if (!pageInfo) throw new RefreshError('the graph answered no customers page');
    if (!pageInfo.hasNextPage || pageInfo.endCursor === null) return starts;
    starts.push(pageInfo.endCursor);
  }
}

async function fetchPage(graphql: GraphQLCaller, first: number, after: string | null): Promise<CustomerPage> {
  const response = await graphql(CUSTOMER_PAGE_QUERY, { first, after });
  if (response.errors?.length) {
    const first = response.errors[0]!;
    throw new RefreshError(
      `the graph refused a page of customers (${response.errors.length} errors), first: ${first.message} at ${(first.path ?? []).join('.')}`,
    );
  }
  const page = (response.data as { customers?: CustomerPage } | undefined)?.customers;
  if (!page) throw new RefreshError('the graph answered no customers page');
  return page;
}

/** Runs `transaction` again when InnoDB rolled it back as a deadlock's victim, up to CHUNK_TRIES times in all. */
export async function triedAgainOnDeadlock<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (!isDeadlock(error) || attempt >= CHUNK_TRIES) throw error;
    }
  }
}

/**
 * One transaction of the full recompute, with where to note the warnings it raises, moves or clears: audited as the
 * system's changes (the scheduled job's run, or the refresh's).
 */
export type RecomputeTransaction = <T>(body: (trx: Knex.Transaction, noteChange: WarningChangeNote) => Promise<T>) => Promise<T>;

/**
 * Phase 2: population figures, then every customer's insight and warnings, chunk by chunk. Also the scheduled
 * recomputation (server.ts), which moves the time-driven findings (renewal due, a complaint's deadline) along.
 */
export async function recomputeAll(
  db: Knex,
  rules: InsightRules,
  asOf: Date,
  onProgress: (line: string) => void,
  inTransaction: RecomputeTransaction,
): Promise<number> {
  const total = Number(((await db('insight_customers').count({ n: '*' })) as { n: number | string }[])[0]!.n);
  const computer = openChunkComputer(rules, asOf);
  try {
    // A pipeline: while the main thread writes one chunk, the next ones are read (one after the other, by keyset) and
    // handed to the rules on the computer's worker thread, so the database, the rules and the writing each have work.
    const chunks = async <Result>(compute: (chunk: RecomputeChunk) => Promise<Result>, consume: (chunk: RecomputeChunk, result: Result) => Promise<void>) => {
      const queue: { chunk: Promise<RecomputeChunk | null>; result: Promise<Result | null> }[] = [];
      // The last chunk asked for: undefined before the first, null once past the end.
      let tail: Promise<RecomputeChunk | null | undefined> = Promise.resolve(undefined);
      const enqueue = () => {
        const chunk = tail.then((previous) =>
          previous === null ? null : readRecomputeChunk(db, previous === undefined ? 0 : previous.customers[previous.customers.length - 1]!.customer_id, asOf),
        );
        const result = chunk.then((read) => (read === null ? null : compute(read)));
        // Started ahead and not awaited when `consume` fails: that failure must not end the process unhandled.
        chunk.catch(() => undefined);
        result.catch(() => undefined);
        tail = chunk;
        queue.push({ chunk, result });
      };
      for (let ahead = 0; ahead < CHUNKS_AHEAD; ahead++) enqueue();
      // Chunks are written WRITES_AT_ONCE at a time: one transaction's statements run in the database while the next
      // chunk's are built here. Their customers differ, so they do not wait on each other's rows.
      const writing = new Set<Promise<void>>();
      let failure: { error: unknown } | undefined;
      try {
        for (;;) {
          const next = queue.shift()!;
          const [chunk, result] = await Promise.all([next.chunk, next.result]);
          if (chunk === null) break;
          enqueue();
          const write: Promise<void> = consume(chunk, result!)
            .catch((error: unknown) => {
              failure ??= { error };
            })
            .finally(() => writing.delete(write));
          writing.add(write);
          if (writing.size >= WRITES_AT_ONCE) await Promise.race(writing);
          if (failure) break;
        }
      } finally {
        await Promise.all(writing);
      }
      if (failure) throw failure.error;
    };

    // Value cut-offs, the org units' premium and their leaders over the whole population first: each customer's value
    // band depends on everyone's value, its share and rank on everyone's premium.
    const values: number[] = [];
    const leaders = new UnitLeaderBoard(rules.classification.large.topN);
    const unitPremium = new UnitPremiumTally(asOf);
    await chunks(
      (chunk) => computer.passOne(chunk),
      async (_chunk, result) => {
        for (const value of result.values) values.push(value);
        for (const { unit, party, fen } of result.standings) leaders.add(unit, party, fen);
        unitPremium.addEntries(result.unitPremium);
      },
    );
    const cutoffs = valueCutoffs(values, rules);
    await saveValueCutoffs(db, cutoffs, asOf);
    // Together, so that an event recomputing a customer meanwhile never finds the units without premium or leaders.
    await db.transaction(async (trx) => {
      await unitPremium.save(trx, asOf);
      await saveUnitLeaders(trx, leaders, asOf);
    });
    computer.setPopulation({ units: unitFiguresOf((await db('insight_unit_premium').select('*')) as OrgUnitRow[]), cutoffs });

    let done = 0;
    await chunks(
      (chunk) => computer.passTwo(chunk),
      async ({ customers }, { insights, findings }) => {
        await triedAgainOnDeadlock(() =>
          inTransaction(async (trx, noteChange) => {
            const live = (await trx('early_warnings')
              .whereIn(
                'customer_id',
                customers.map((customer) => toId(customer.customer_id)),
              )
              .whereNull('cleared_at')) as EarlyWarningRow[];
            await insertAll(trx, 'customer_insights', insights, 'customer_id');
            for (const [index, customer] of customers.entries()) {
              const id = toId(customer.customer_id);
              await reconcileWarnings(
                trx,
                customer,
                findings[index]!,
                asOf,
                live.filter((row) => toId(row.customer_id) === id),
                noteChange,
              );
            }
          }),
        );
        done += customers.length;
        onProgress(`insights ${done} / ${total}`);
      },
    );
    await saveFullRecompute(db, done, asOf);
    return done;
  } finally {
    await computer.close();
  }
}

function byCustomer<Row extends { customer_id: number | string }>(rows: readonly Row[]): Map<string, Row[]> {
  const map = new Map<string, Row[]>();
  for (const row of rows) {
    const key = toId(row.customer_id);
    const list = map.get(key);
    if (list) list.push(row);
    else map.set(key, [row]);
  }
  return map;
}

/** The chunk of customers after `after` (by id), with their facts in three queries and the corporate groups they belong to; null after the last. */
export async function readRecomputeChunk(db: Knex, after: string | number, asOf: Date): Promise<RecomputeChunk | null> {
  const customers = (await db('insight_customers').where('customer_id', '>', after).orderBy('customer_id').limit(COMPUTE_CHUNK)) as InsightCustomerRow[];
  if (customers.length === 0) return null;
  const ids = customers.map((customer) => toId(customer.customer_id));
  const [policies, claims, complaints] = await Promise.all([
    db('insight_policies').whereIn('customer_id', ids).orderBy('policy_no') as Promise<InsightPolicyRow[]>,
    db('insight_claims').whereIn('customer_id', ids).orderBy('report_no') as Promise<InsightClaimRow[]>,
    db('insight_complaints').whereIn('customer_id', ids).orderBy('complaint_no') as Promise<InsightComplaintRow[]>,
  ]);
  // Groups: a customer with a group head, or named as the head of others.
  const heads = new Set(customers.filter((customer) => customer.group_head_customer_id !== null).map((customer) => toId(customer.group_head_customer_id!)));
  const namedAsHead = (await db('insight_customers').whereIn('group_head_customer_id', ids).distinct('group_head_customer_id')) as {
    group_head_customer_id: number | string;
  }[];
  for (const row of namedAsHead) heads.add(toId(row.group_head_customer_id));
  const groups = new Map<string, { groupKey: string; writtenPremium12m: string }>();
  if (heads.size > 0) {
    const members = (await db('insight_customers')
      .whereIn('group_head_customer_id', [...heads])
      .orWhereIn('customer_id', [...heads])
      .select('customer_id', 'group_head_customer_id')) as { customer_id: number | string; group_head_customer_id: number | string | null }[];
    const headOf = (member: { customer_id: number | string; group_head_customer_id: number | string | null }) =>
      toId(member.group_head_customer_id ?? member.customer_id);
    const memberPolicies = byCustomer(
      (await db('insight_policies').whereIn(
        'customer_id',
        members.map((member) => toId(member.customer_id)),
      )) as InsightPolicyRow[],
    );
    for (const head of heads) {
      const inGroup = members.filter((member) => headOf(member) === head);
      const premium = groupPremium12m(
        inGroup.flatMap((member) => memberPolicies.get(toId(member.customer_id)) ?? []),
        asOf,
      );
      for (const member of inGroup) groups.set(toId(member.customer_id), { groupKey: head, writtenPremium12m: premium });
    }
  }
  return { customers, policies: byCustomer(policies), claims: byCustomer(claims), complaints: byCustomer(complaints), groups };
}

/** Runs (or resumes) a refresh. */
export async function refreshInsights(options: RefreshOptions): Promise<RefreshResult> {
  const { db, rules, graphql } = options;
  const pageSize = options.pageSize ?? REFRESH_PAGE_SIZE;
  const progress = options.onProgress ?? (() => undefined);
  const unfinished = (await db('insight_refresh_runs').whereNot('status', 'DONE').orderBy('started_at', 'desc').first()) as RunRow | undefined;
  let run: RunRow;
  const resumed = unfinished !== undefined;
  if (unfinished) {
    run = { ...unfinished, processed: Number(unfinished.processed), total: unfinished.total === null ? null : Number(unfinished.total) };
    progress(`resuming run ${run.run_id} (asOf ${toIsoTimestamp(run.as_of)}) after ${run.processed} customers`);
  } else {
    const now = new Date();
    run = {
      run_id: randomUUID(),
      started_at: sqlTimestamp(now),
      as_of: sqlTimestamp(options.asOf ?? now),
      status: 'RUNNING',
      cursor: null,
      processed: 0,
      total: null,
    };
    await db('insight_refresh_runs').insert({ ...run, updated_at: sqlTimestamp(now) });
  }
  const asOf = new Date(toIsoTimestamp(run.as_of)!);
  const stopped = (): RefreshResult => ({ runId: run.run_id, asOf, resumed, completed: false, customers: run.processed });

  if (run.status === 'RUNNING') {
    let pages = 0;
    const stopNow = () => options.stopRequested?.() || (options.stopAfterPages !== undefined && pages >= options.stopAfterPages);
    const store = async (page: CustomerPage) => {
      await storePage(db, run, page, sqlTimestamp(new Date()));
      pages++;
      progress(`facts ${run.processed} / ${run.total ?? '?'}`);
    };
    // Where each page starts, from a walk that reads no facts; then the pages side by side, stored in their order, so
    // the checkpoint stays "every customer up to the cursor is stored".
    const starts = await pageStarts(graphql, pageSize, run.cursor);
    const fetching: Promise<CustomerPage>[] = [];
    let next = 0;
    const fetchNext = () => {
      const fetched = fetchPage(graphql, pageSize, starts[next++] ?? null);
      // A page fetched ahead and not stored (the run stopped first) must not end the process as an unhandled rejection.
      fetched.catch(() => undefined);
      fetching.push(fetched);
    };
    while (next < starts.length && fetching.length < (options.concurrency ?? DEFAULT_FETCH_CONCURRENCY)) fetchNext();
    let last: CustomerPage | undefined;
    while (fetching.length > 0) {
      if (stopNow()) return stopped();
      last = await fetching.shift()!;
      if (next < starts.length) fetchNext();
      await store(last);
    }
    // Customers added since the walk: on from the last page stored, one page at a time.
    while (last === undefined || last.pageInfo.hasNextPage) {
      if (stopNow()) return stopped();
      last = await fetchPage(graphql, pageSize, run.cursor);
      await store(last);
    }
    run.status = 'COMPUTING';
    await db('insight_refresh_runs')
      .where('run_id', run.run_id)
      .update({ status: 'COMPUTING', updated_at: sqlTimestamp(new Date()) });
  }
  if (options.stopRequested?.()) return stopped();
  const audited: RecomputeTransaction = (body) =>
    inAuditedSystemTransaction(
      db,
      options.changeAudit,
      { subgraph: 'insights', action: REFRESH_ACTION, requestId: run.run_id, policyVersion: options.policyVersion, at: new Date() },
      (trx, changes) => body(trx, (change) => changes.record(change)),
    );
  const customers = await recomputeAll(db, rules, asOf, progress, audited);
  const finished = sqlTimestamp(new Date());
  await db('insight_refresh_runs').where('run_id', run.run_id).update({ status: 'DONE', finished_at: finished, updated_at: finished });
  progress(`done: ${customers} customers, asOf ${asOf.toISOString()}`);
  return { runId: run.run_id, asOf, resumed, completed: true, customers };
}
