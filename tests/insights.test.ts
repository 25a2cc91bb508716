/**
 * The insights subgraph wired into the graph (issue 11; docs/insights.md), through the gateway on SQLite and MariaDB:
 * a claim reported by phone reaches the insights' read model as an event and changes the customer's classification and
 * early warnings within seconds; the warning desk's lifecycle (acknowledge, resolve, dismiss) with its refusals
 * (FORBIDDEN_ACTION, INVALID_TRANSITION, CONFLICT, a reason required); the root connection paged by keyset cursor; the
 * BI analyst's view (sealed keys, no per-person figures); a special investigation concluded through the gateway, whose
 * confirmed fraud makes the customer POOR within seconds (and whose "no fraud found" does not); and `insights:refresh`,
 * which rebuilds the read model from the graph alone, resumes after an interruption and agrees with the state the
 * events built. The rules themselves, on each side of every threshold, are unit-tested in
 * subgraphs/insights/src/rules/__tests__.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, DELIVERY_TABLE, OUTBOX_TABLE, openAuditStore, openCommandAudit, SettableClock } from '@icg/shared';
import { auditRecordsOf } from './support/crm-workflows';
import { recomputeAll, refreshInsights, type GraphQLCaller } from '../subgraphs/insights/src/refresh';
import { insightRules } from '../subgraphs/insights/src/server';
import { TRANSPORTS_UNDER_TEST, type TransportUnderTest } from './support/event-probes';
import type { GraphQLResponse } from './support/graphql-client';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { actingAs, callers, newKey, readTicket, staffWith, waitUntil, type Caller } from './support/hotline-desk';
import { TEST_DIALECTS } from './support/test-database';
import { bearerHeaders, TEST_AUDIT_CHAIN_KEY, TEST_PSEUDONYM_SECRET, testSubgraphSecurity, type ActingAs } from './support/test-security';

const START = '2026-11-02T02:00:00Z';
const BI_ANALYST: ActingAs = { role: 'BI_ANALYST' };
/** The identity npm run insights:refresh takes in development: a head-office auditor with the AUDIT purpose. */
const REFRESHER: ActingAs = { role: 'AUDITOR', staffId: String(staffWith('AUDITOR', '/1/')[0]!.id), purpose: 'AUDIT' };

interface Insight {
  classification: string;
  large: boolean;
  blacklisted: boolean;
  ruleVersion: string;
  asOf: string;
  figures: { claims12m: number; tenureYears: number; earnedPremium36m: number | null; lossRatio36m: number | null };
}

interface Warning {
  earlyWarningNo: string;
  kind: string;
  level: string;
  status: string;
  version: number;
  subjectKey: string | null;
  customer: { id: string };
}

const INSIGHT_FIELDS = 'classification large blacklisted ruleVersion asOf figures { claims12m tenureYears earnedPremium36m lossRatio36m }';
const WARNING_FIELDS = 'earlyWarningNo kind level status version subjectKey customer { id }';

async function readInsight(graph: GraphUnderTest, customerId: string): Promise<{ insight: Insight | null; earlyWarnings: Warning[] }> {
  const response = await graph.query<{ customer: { insight: Insight | null; earlyWarnings: Warning[] | null } }>(
    `query Insight($id: ID!) { customer(id: $id) { insight { ${INSIGHT_FIELDS} } earlyWarnings { ${WARNING_FIELDS} } } }`,
    { id: customerId },
  );
  if (response.errors?.length) throw new Error(JSON.stringify(response.errors));
  return { insight: response.data!.customer.insight, earlyWarnings: response.data!.customer.earlyWarnings ?? [] };
}

/** Reports a claim on the caller's policy by phone, as the hotline takes it; the claims system files it by event. */
async function reportClaim(graph: GraphUnderTest, caller: Caller): Promise<string> {
  const response = await graph.query<{ reportClaimByPhone: { ticketNo: string } }>(
    `mutation Report($input: ReportClaimByPhoneInput!) { reportClaimByPhone(input: $input) { ticketNo } }`,
    {
      input: {
        idempotencyKey: newKey(),
        customerId: caller.customerId,
        policyNo: caller.policyNo,
        lossDate: '2026-11-01',
        cause: 'COLLISION',
        priority: 'HIGH',
        description: '客户来电报案：倒车时碰到路边护栏，后保险杠受损',
        callerName: '王先生',
        callerMobile: '13912345678',
        customerSegment: 'STANDARD',
      },
    },
    actingAs(staffWith('HOTLINE_AGENT')[0]!),
  );
  if (response.errors?.length) throw new Error(JSON.stringify(response.errors));
  return response.data!.reportClaimByPhone.ticketNo;
}

interface InvestigatedClaim {
  reportNo: string;
  version: number;
  /** The adjuster of the caller's branch who handles it; the one after them in the branch concludes it. */
  handler: ActingAs;
  colleague: ActingAs;
}

/**
 * A claim of the caller's reported by phone and dispatched to an adjuster of the branch, who then handles it, flagged
 * for special investigation. Flagging is the fraud screening's (the seed has its flags); no mutation of this graph
 * sets it, so the test sets the flag in the claims store as the screening would.
 */
async function claimUnderInvestigation(graph: GraphUnderTest, caller: Caller): Promise<InvestigatedClaim> {
  const ticketNo = await reportClaim(graph, caller);
  const ticket = await waitUntil(
    () => readTicket(graph, ticketNo),
    (found) => found?.spawnedClaim !== null,
  );
  const reportNo = ticket!.spawnedClaim!.reportNo;
  const [handler, colleague] = staffWith('CLAIMS_ADJUSTER', caller.branchPath).map(actingAs);
  const dispatched = await graph.query<{ dispatchSurveyor: { version: number } }>(
    'mutation Dispatch($input: DispatchSurveyorInput!) { dispatchSurveyor(input: $input) { version } }',
    { input: { idempotencyKey: newKey(), reportNo, expectedVersion: 1 } },
    handler,
  );
  if (dispatched.errors?.length) throw new Error(JSON.stringify(dispatched.errors));
  await graph.subgraphs['claims']!.db('claims').where('report_no', reportNo).update({ fraud_score: 88, special_investigation: true });
  return { reportNo, version: dispatched.data!.dispatchSurveyor.version, handler: handler!, colleague: colleague! };
}

function concludeInvestigation(graph: GraphUnderTest, claim: InvestigatedClaim, outcome: string, acting: ActingAs) {
  return graph.query<{ concludeSpecialInvestigation: { reportNo: string; version: number } | null }>(
    'mutation Conclude($input: ConcludeInvestigationInput!) { concludeSpecialInvestigation(input: $input) { reportNo version } }',
    { input: { idempotencyKey: newKey(), reportNo: claim.reportNo, expectedVersion: claim.version, outcome } },
    acting,
  );
}

interface FraudView {
  classification: string;
  reasons: { rule: string }[] | null;
  figures: { fraudConfirmed: boolean | null };
}

/** The customer's classification with its reasons and the confirmed-fraud figure, as the auditor reads them (CREDIT). */
async function readFraudView(graph: GraphUnderTest, customerId: string): Promise<FraudView | null> {
  const response = await graph.query<{ customer: { insight: FraudView | null } }>(
    'query Fraud($id: ID!) { customer(id: $id) { insight { classification reasons { rule } figures { fraudConfirmed } } } }',
    { id: customerId },
  );
  if (response.errors?.length) throw new Error(JSON.stringify(response.errors));
  return response.data!.customer.insight;
}

const FRAUD_REASON = 'classification.poor.fraudConfirmed';

/** A caller who is not blacklisted and has fewer claims in 12 months than the poor rule's 4. */
async function ordinaryCaller(graph: GraphUnderTest, candidates: readonly Caller[]): Promise<{ caller: Caller; before: Insight }> {
  for (const caller of candidates) {
    const { insight } = await readInsight(graph, caller.customerId);
    if (insight && !insight.blacklisted && insight.classification !== 'POOR' && insight.figures.claims12m < 3) return { caller, before: insight };
  }
  throw new Error('no ordinary caller among the candidates');
}

/**
 * Reports claims until the customer has 4 in 12 months (the poor rule's default) and waits for the insight to follow,
 * event by event: never a fixed sleep.
 */
async function claimsUntilPoor(graph: GraphUnderTest, caller: Caller, before: Insight): Promise<{ insight: Insight | null; earlyWarnings: Warning[] }> {
  let claims = before.figures.claims12m;
  while (claims < 4) {
    await reportClaim(graph, caller);
    claims++;
    const seen = await waitUntil(
      () => readInsight(graph, caller.customerId),
      (state) => state.insight?.figures.claims12m === claims,
    );
    expect(seen.insight?.figures.claims12m).toBe(claims);
  }
  return readInsight(graph, caller.customerId);
}

/** The command `npm run insights:refresh` runs (npm test builds it first). */
const REFRESH_CLI = join(__dirname, '..', 'subgraphs', 'insights', 'dist', 'run-refresh.js');

/** Runs the refresh command against the graph under test, as its operator would: the insights store and the gateway by environment. */
async function runRefreshCommand(graph: GraphUnderTest): Promise<{ code: number | null; stderr: string }> {
  const { config } = graph.databases;
  const token = (await bearerHeaders(REFRESHER))['authorization']!.replace(/^Bearer /, '');
  const checkpoints = mkdtempSync(join(tmpdir(), 'icg-refresh-cli-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    APOLLO_TELEMETRY_DISABLED: '1',
    DATA_DIR: config.dataDir,
    ...(config.mysqlUrl ? { MYSQL_URL: config.mysqlUrl, MYSQL_DATABASE_PREFIX: config.mysqlDatabasePrefix } : {}),
    GATEWAY_URL: graph.graphqlUrl,
    INSIGHTS_REFRESH_TOKEN: token,
    PSEUDONYM_SECRET: TEST_PSEUDONYM_SECRET,
    AUDIT_PSEUDONYM_SECRET: TEST_PSEUDONYM_SECRET,
    AUDIT_CHAIN_KEY: TEST_AUDIT_CHAIN_KEY,
    AUDIT_CHECKPOINT_PATH: join(checkpoints, 'audit-checkpoints.jsonl'),
  };
  return new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [REFRESH_CLI], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  }).finally(() => rmSync(checkpoints, { recursive: true, force: true }));
}

/** Where the refresh audits the warnings it changes, as `npm run insights:refresh` opens it. */
function openRefreshAudit(graph: GraphUnderTest) {
  return openCommandAudit({
    subgraph: 'insights',
    database: graph.databases.config,
    audit: testSubgraphSecurity().audit,
    db: graph.subgraphs['insights']!.db,
    log: createLogger('insights-refresh-test', 'silent'),
  });
}

describe.each(TEST_DIALECTS)('insights through the gateway on %s', (dialect) => {
  const clock = new SettableClock(START);
  let graph: GraphUnderTest;
  let people: Caller[];

  beforeAll(async () => {
    graph = await startGraph({ dialect, clock });
    people = await callers(graph, 12);
    // Six seeded stores on MariaDB take a while on a loaded machine.
  }, 240_000);
  afterAll(async () => {
    await graph?.close();
  });

  it('gives every customer an insight from the seed, under the rules version', async () => {
    const { insight } = await readInsight(graph, people[0]!.customerId);
    expect(insight).not.toBeNull();
    expect(insight!.ruleVersion).toBe(insightRules.version);
    expect(['BLACKLISTED', 'POOR', 'QUALITY', 'NORMAL']).toContain(insight!.classification);
  });

  it("a claim reported by phone changes the customer's figures, classification and warnings as the events arrive", async () => {
    const { caller, before } = await ordinaryCaller(graph, people.slice(0, 6));
    const after = await claimsUntilPoor(graph, caller, before);
    // 4 claims in 12 months: poor (DOMAIN.md section 5), and the multiple-claims warning (3 or more) is raised.
    expect(after.insight).toMatchObject({ classification: 'POOR', figures: { claims12m: 4 } });
    expect(after.insight!.asOf).toBe(START);
    expect(after.earlyWarnings).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'MULTIPLE_CLAIMS', level: 'WARN', status: 'OPEN', customer: { id: caller.customerId } })]),
    );
    // The system raised it: audited as the insights system's change, under the event that raised it.
    const raised = after.earlyWarnings.find((warning) => warning.kind === 'MULTIPLE_CLAIMS')!;
    const auditStore = await openAuditStore(graph.databases.config);
    try {
      const [record] = await auditRecordsOf(auditStore, 'event:claim.reported', `EarlyWarning:${raised.earlyWarningNo}`, 1);
      expect(record).toMatchObject({ staff_id: 'system:insights', role: 'SYSTEM', decision: 'ALLOW', rule: 'system' });
      expect(JSON.parse(String(record!['change']))).toMatchObject({
        beforeVersion: null,
        afterVersion: 1,
        fields: { kind: { before: null, after: expect.stringMatching(/^ps_/) }, level: { after: expect.stringMatching(/^ps_/) } },
      });
    } finally {
      await auditStore.destroy();
    }
  });

  it("two claims on the one vehicle a policy insures raise the same-object warning, under the object's key", async () => {
    // A caller of the remaining seeded customers whose policy insures exactly one object and who has no such warning yet.
    let chosen: { caller: Caller; objectKey: string } | undefined;
    for (const caller of people.slice(6)) {
      const response = await graph.query<{ policy: { insuredObjects: { objectKey: string }[] | null } | null }>(
        'query Objects($policyNo: String!) { policy(policyNo: $policyNo) { insuredObjects { objectKey } } }',
        { policyNo: caller.policyNo },
      );
      expect(response.errors).toBeUndefined();
      const objects = response.data!.policy?.insuredObjects ?? [];
      const { earlyWarnings } = await readInsight(graph, caller.customerId);
      if (objects.length === 1 && !earlyWarnings.some((warning) => warning.kind === 'MULTIPLE_CLAIMS_SAME_OBJECT')) {
        chosen = { caller, objectKey: objects[0]!.objectKey };
        break;
      }
    }
    if (!chosen) throw new Error('no caller with a single-object policy among the candidates');
    const sameObject = (state: { earlyWarnings: Warning[] }) => state.earlyWarnings.filter((warning) => warning.kind === 'MULTIPLE_CLAIMS_SAME_OBJECT');

    await reportClaim(graph, chosen.caller);
    await reportClaim(graph, chosen.caller);
    // The policy's only object is the claims' object: policies told insights its key when the policy was bound (the
    // seed here), and the claims name the policy.
    const seen = await waitUntil(
      () => readInsight(graph, chosen!.caller.customerId),
      (state) => sameObject(state).length > 0,
    );
    expect(sameObject(seen)).toEqual([expect.objectContaining({ level: 'WARN', status: 'OPEN', subjectKey: chosen.objectKey })]);
  });

  it("a special investigation's finding reaches the customer's insight: confirmed fraud makes them POOR, none found does not", async () => {
    const candidates = people.slice(0, 6);
    const { caller: fraudulent, before } = await ordinaryCaller(graph, candidates);
    const { caller: cleared } = await ordinaryCaller(
      graph,
      candidates.filter((candidate) => candidate !== fraudulent),
    );
    const confirmedClaim = await claimUnderInvestigation(graph, fraudulent);
    const clearedClaim = await claimUnderInvestigation(graph, cleared);

    // The handler may not conclude the investigation of their own claim (two-person rule).
    const byHandler = await concludeInvestigation(graph, confirmedClaim, 'FRAUD_CONFIRMED', confirmedClaim.handler);
    expect(byHandler.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'claim.investigation.conclude', reason: 'SECOND_PERSON' });

    // Another adjuster of the branch concludes: fraud confirmed. Within seconds the customer is POOR, for that reason.
    const concluded = await concludeInvestigation(graph, confirmedClaim, 'FRAUD_CONFIRMED', confirmedClaim.colleague);
    expect(concluded.errors).toBeUndefined();
    expect(concluded.data!.concludeSpecialInvestigation).toEqual({ reportNo: confirmedClaim.reportNo, version: confirmedClaim.version + 1 });
    expect(before.classification).not.toBe('POOR');
    const poor = await waitUntil(
      () => readFraudView(graph, fraudulent.customerId),
      (view) => view?.classification === 'POOR',
      10_000,
    );
    expect(poor).toMatchObject({ classification: 'POOR', figures: { fraudConfirmed: true } });
    expect(poor!.reasons).toContainEqual({ rule: FRAUD_REASON });
    const claimView = await graph.query<{ claim: { investigationOutcome: string | null; specialInvestigation: boolean } }>(
      'query Claim($no: String!) { claim(reportNo: $no) { investigationOutcome specialInvestigation } }',
      { no: confirmedClaim.reportNo },
    );
    expect(claimView.data!.claim).toEqual({ investigationOutcome: 'FRAUD_CONFIRMED', specialInvestigation: true });

    // No fraud found on the other customer's claim: once insights has taken the event, they are not poor for it.
    const noFraud = await concludeInvestigation(graph, clearedClaim, 'NO_FRAUD_FOUND', clearedClaim.colleague);
    expect(noFraud.errors).toBeUndefined();
    const claimsDb = graph.subgraphs['claims']!.db;
    const event = (await claimsDb(OUTBOX_TABLE)
      .where({ aggregate: `Claim:${clearedClaim.reportNo}`, type: 'claim.investigation-concluded' })
      .first('sequence')) as { sequence: number };
    const delivery = await waitUntil(
      async () => (await claimsDb(DELIVERY_TABLE).where({ sequence: event.sequence, consumer: 'insights' }).first('state')) as { state: string },
      (found) => found.state === 'DELIVERED',
    );
    expect(delivery.state).toBe('DELIVERED');
    const notPoor = await readFraudView(graph, cleared.customerId);
    expect(notPoor).toMatchObject({ figures: { fraudConfirmed: false } });
    expect(notPoor!.classification).not.toBe('POOR');
    expect(notPoor!.reasons ?? []).not.toContainEqual({ rule: FRAUD_REASON });
  });

  describe('the warning desk', () => {
    let warning: Warning;
    let manager: ActingAs;
    let serviceCentre: ActingAs;

    beforeAll(async () => {
      // An open warning of a customer with a primary manager in a city branch.
      const response = await graph.query<{
        earlyWarnings: { nodes: (Warning & { customer: { id: string; primaryManager: { id: string } | null; branch: { path: string } } })[] };
      }>(`{ earlyWarnings(first: 200, filter: { status: OPEN }) { nodes { ${WARNING_FIELDS} customer { id primaryManager { id } branch { path } } } } }`);
      expect(response.errors).toBeUndefined();
      const found = response.data!.earlyWarnings.nodes.find(
        (node) =>
          node.customer.primaryManager !== null &&
          /^\/\d+\/\d+\/\d+\/$/.test(node.customer.branch.path) &&
          staffWith('SERVICE_CENTER_MANAGER', node.customer.branch.path).length > 0,
      );
      if (!found) throw new Error('no open warning of a managed city customer in the seed');
      warning = found;
      manager = { role: 'CUSTOMER_MANAGER', staffId: found.customer.primaryManager!.id };
      serviceCentre = actingAs(staffWith('SERVICE_CENTER_MANAGER', found.customer.branch.path)[0]!);
    });

    // The selection every role may ask for: the hotline's policy makes dismissReason (CONFIDENTIAL, no mask) a field it never reads.
    const step = (
      field: string,
      inputType: string,
      input: Record<string, unknown>,
      acting: ActingAs,
      selection = `${WARNING_FIELDS} acknowledgedBy { id } dismissReason`,
    ) => graph.query<Record<string, Warning | null>>(`mutation Step($input: ${inputType}!) { ${field}(input: $input) { ${selection} } }`, { input }, acting);

    it('refuses the hotline and another manager (FORBIDDEN_ACTION), lets the customer manager acknowledge and resolve, then nothing more (INVALID_TRANSITION)', async () => {
      const input = (extra: Record<string, unknown> = {}) => ({
        idempotencyKey: newKey(),
        earlyWarningNo: warning.earlyWarningNo,
        expectedVersion: warning.version,
        ...extra,
      });
      const hotline = await step('acknowledgeEarlyWarning', 'EarlyWarningStepInput', input(), actingAs(staffWith('HOTLINE_AGENT')[0]!), WARNING_FIELDS);
      expect(hotline.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'insight.warning.acknowledge', reason: 'NOT_GRANTED' });
      const otherManager = staffWith('CUSTOMER_MANAGER').find((staff) => String(staff.id) !== manager.staffId)!;
      const colleague = await step('acknowledgeEarlyWarning', 'EarlyWarningStepInput', input(), actingAs(otherManager));
      expect(colleague.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN_ACTION', reason: 'OUT_OF_SCOPE' });

      const acknowledged = await step('acknowledgeEarlyWarning', 'EarlyWarningStepInput', input(), manager);
      expect(acknowledged.errors).toBeUndefined();
      expect(acknowledged.data!['acknowledgeEarlyWarning']).toMatchObject({
        status: 'ACKNOWLEDGED',
        version: warning.version + 1,
        acknowledgedBy: { id: manager.staffId },
      });

      const stale = await step('resolveEarlyWarning', 'EarlyWarningStepInput', input(), manager);
      expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', expectedVersion: warning.version, currentVersion: warning.version + 1 });

      const resolved = await step('resolveEarlyWarning', 'EarlyWarningStepInput', input({ expectedVersion: warning.version + 1 }), manager);
      expect(resolved.data!['resolveEarlyWarning']).toMatchObject({ status: 'RESOLVED', version: warning.version + 2 });

      const again = await step('acknowledgeEarlyWarning', 'EarlyWarningStepInput', input({ expectedVersion: warning.version + 2 }), manager);
      expect(again.errors?.[0]?.extensions).toMatchObject({
        code: 'INVALID_TRANSITION',
        currentState: 'RESOLVED',
        requestedState: 'ACKNOWLEDGED',
        allowed: [],
      });
    });

    it("dismissing is the service centre's, with a reason", async () => {
      const response = await graph.query<{ earlyWarnings: { nodes: (Warning & { customer: { id: string; branch: { path: string } } })[] } }>(
        `{ earlyWarnings(first: 200, filter: { status: OPEN }) { nodes { ${WARNING_FIELDS} customer { id branch { path } } } } }`,
      );
      const open = response.data!.earlyWarnings.nodes.find((node) => node.customer.branch.path.startsWith(serviceCentrePath(serviceCentre)))!;
      expect(open).toBeDefined();
      const input = (extra: Record<string, unknown>) => ({
        idempotencyKey: newKey(),
        earlyWarningNo: open.earlyWarningNo,
        expectedVersion: open.version,
        ...extra,
      });

      const byManager = await step('dismissEarlyWarning', 'DismissEarlyWarningInput', input({ reason: '客户已补缴保费' }), manager);
      expect(byManager.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'insight.warning.dismiss' });
      const noReason = await step('dismissEarlyWarning', 'DismissEarlyWarningInput', input({ reason: '  ' }), serviceCentre);
      expect(noReason.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(noReason.errors?.[0]?.message).toContain('input.reason');

      const dismissed = await step('dismissEarlyWarning', 'DismissEarlyWarningInput', input({ reason: '已与客户核实，属正常业务波动' }), serviceCentre);
      expect(dismissed.errors).toBeUndefined();
      expect(dismissed.data!['dismissEarlyWarning']).toMatchObject({
        status: 'DISMISSED',
        dismissReason: '已与客户核实，属正常业务波动',
        version: open.version + 1,
      });
    });

    function serviceCentrePath(acting: ActingAs): string {
      return staffWith('SERVICE_CENTER_MANAGER').find((staff) => String(staff.id) === acting.staffId)!.branchPath;
    }
  });

  it("shows a customer manager their own customer's figures in the customer's view, and a colleague's customer's not", async () => {
    // The customers' primary managers as the customers system holds them (the insight copies them from its events).
    const managed = (await graph.subgraphs['customers']!.db('customers')
      .whereNotNull('customer_manager_staff_id')
      .select('id', 'customer_manager_staff_id')) as { id: number; customer_manager_staff_id: number }[];
    const query = `query View($id: ID!) { customer(id: $id) { insight { classification figures { earnedPremium36m } } } }`;
    type View = { customer: { insight: { classification: string; figures: { earnedPremium36m: number | null } } | null } };
    let own: { id: string; manager: string; figure: number } | undefined;
    for (const row of managed) {
      const reference = await graph.query<View>(query, { id: String(row.id) });
      const figure = reference.data?.customer.insight?.figures.earnedPremium36m;
      if (typeof figure === 'number') {
        own = { id: String(row.id), manager: String(row.customer_manager_staff_id), figure };
        break;
      }
    }
    expect(own).toBeDefined();
    const colleague = staffWith('CUSTOMER_MANAGER').find((member) => String(member.id) !== own!.manager)!;

    // The gateway asks the insights subgraph for the customer by key: the insight's own scope decides.
    const asManager = await graph.query<View>(query, { id: own!.id }, { role: 'CUSTOMER_MANAGER', staffId: own!.manager, purpose: 'CUSTOMER_SERVICE' });
    expect(asManager.errors).toBeUndefined();
    expect(asManager.data!.customer.insight!.figures.earnedPremium36m).toBe(own!.figure);

    const asColleague = await graph.query<View>(
      query,
      { id: own!.id },
      { role: 'CUSTOMER_MANAGER', staffId: String(colleague.id), purpose: 'CUSTOMER_SERVICE' },
    );
    expect(asColleague.data!.customer.insight!.classification).toEqual(expect.any(String));
    expect(asColleague.data!.customer.insight!.figures.earnedPremium36m).toBeNull();
    expect(asColleague.errors?.map((error) => error.extensions?.['coordinate'])).toEqual(['CustomerInsightFigures.earnedPremium36m']);
  });

  it('pages the root connection by keyset cursor: every warning once, as many as totalCount', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let totalCount = 0;
    for (let page = 0; page < 200; page++) {
      const response: GraphQLResponse<{
        earlyWarnings: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Warning[] };
      }> = await graph.query(
        `query Page($after: String) { earlyWarnings(first: 5, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { earlyWarningNo } } }`,
        { after },
      );
      const connection = response.data!.earlyWarnings;
      totalCount = connection.totalCount;
      seen.push(...connection.nodes.map((node) => node.earlyWarningNo));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(totalCount).toBeGreaterThan(5);
    expect(seen).toHaveLength(totalCount);
    expect(new Set(seen).size).toBe(totalCount);
  });

  it('shows the BI analyst classifications and warnings under sealed keys, pages with sealed cursors, and no per-person figures', async () => {
    const page = await graph.query<{ earlyWarnings: { pageInfo: { endCursor: string }; nodes: Warning[] } }>(
      `{ earlyWarnings(first: 5) { pageInfo { endCursor } nodes { earlyWarningNo kind level status customer { id insight { classification large } } } } }`,
      {},
      BI_ANALYST,
    );
    expect(page.errors).toBeUndefined();
    const nodes = page.data!.earlyWarnings.nodes as (Warning & { customer: { id: string; insight: { classification: string } } })[];
    expect(nodes).toHaveLength(5);
    for (const node of nodes) {
      expect(node.earlyWarningNo).toMatch(/^ps_/);
      expect(node.customer.id).toMatch(/^ps_/);
      expect(['BLACKLISTED', 'POOR', 'QUALITY', 'NORMAL']).toContain(node.customer.insight.classification);
    }
    expect(page.data!.earlyWarnings.pageInfo.endCursor).toMatch(/^ps_/);
    const next = await graph.query<{ earlyWarnings: { nodes: { earlyWarningNo: string }[] } }>(
      'query Next($after: String) { earlyWarnings(first: 5, after: $after) { nodes { earlyWarningNo } } }',
      { after: page.data!.earlyWarnings.pageInfo.endCursor },
      BI_ANALYST,
    );
    expect(next.errors).toBeUndefined();
    expect(next.data!.earlyWarnings.nodes.map((node) => node.earlyWarningNo)).not.toContain(nodes[0]!.earlyWarningNo);
    // Per-person amounts and the reasons (credit information) do not exist for BI: asking is a validation error.
    const figures = await graph.query(`{ earlyWarnings(first: 1) { nodes { customer { insight { figures { earnedPremium36m } } } } } }`, {}, BI_ANALYST);
    expect(figures.errors?.[0]?.message).toBe('Cannot query field "earnedPremium36m" on type "CustomerInsightFigures".');
    const reasons = await graph.query(`{ earlyWarnings(first: 1) { nodes { customer { insight { reasons { rule } } } } } }`, {}, BI_ANALYST);
    expect(reasons.errors?.[0]?.message).toBe('Cannot query field "reasons" on type "CustomerInsight".');
  });

  it('insights:refresh rebuilds the read model from the graph, resumes after an interruption and agrees with the event-built state', async () => {
    // A customer whose insight the events changed (claims reported by phone, as above).
    const { caller, before } = await ordinaryCaller(graph, people.slice(6));
    const eventBuilt = await claimsUntilPoor(graph, caller, before);
    const graphql: GraphQLCaller = (query, variables) => graph.query(query, variables, REFRESHER);
    const db = graph.subgraphs['insights']!.db;
    const asOf = clock.now();
    const lines: string[] = [];
    // An open warning whose finding no longer holds (another customer's, its finding key changed under it): the rebuild
    // clears it, as the insights system's audited change.
    const stale = (await db('early_warnings')
      .whereNull('cleared_at')
      .where('status', 'OPEN')
      .whereNot('customer_id', caller.customerId)
      .orderBy('id')
      .first()) as { id: number; early_warning_no: string; version: number };
    await db('early_warnings').where('id', stale.id).update({ finding_key: 'MULTIPLE_CLAIMS:no-longer-found' });
    const audit = await openRefreshAudit(graph);
    const audited = { changeAudit: audit.trail, policyVersion: 'test' };

    const interrupted = await refreshInsights({
      db,
      rules: insightRules,
      graphql,
      asOf,
      pageSize: 20,
      stopAfterPages: 1,
      onProgress: (line) => lines.push(line),
      ...audited,
    });
    expect(interrupted).toMatchObject({ completed: false, resumed: false, customers: 20 });
    expect(lines).toEqual(['facts 20 / 60']);
    const checkpoint = (await db('insight_refresh_runs').where('run_id', interrupted.runId).first()) as { status: string; processed: number; cursor: string };
    expect(checkpoint).toMatchObject({ status: 'RUNNING', processed: 20 });
    expect(checkpoint.cursor).toEqual(expect.any(String));

    lines.length = 0;
    const resumed = await refreshInsights({ db, rules: insightRules, graphql, pageSize: 20, onProgress: (line) => lines.push(line), ...audited });
    await audit.close();
    expect(resumed).toMatchObject({ runId: interrupted.runId, completed: true, resumed: true, customers: 60 });
    expect(resumed.asOf.toISOString()).toBe(asOf.toISOString());
    // It went on from the page after the checkpoint, not from the start.
    expect(lines.slice(0, 3)).toEqual([expect.stringMatching(/^resuming run .* after 20 customers$/), 'facts 40 / 60', 'facts 60 / 60']);
    expect(lines[lines.length - 1]).toBe(`done: 60 customers, asOf ${asOf.toISOString()}`);

    // Every insight stamped with the run's asOf; the event-built customer's the same after the rebuild.
    const stamps = (await db('customer_insights').distinct('as_of')) as { as_of: string }[];
    expect(stamps.map((row) => String(row.as_of).slice(0, 19).replace(' ', 'T'))).toEqual([asOf.toISOString().slice(0, 19)]);
    const rebuilt = await readInsight(graph, caller.customerId);
    expect(rebuilt.insight).toEqual(eventBuilt.insight);
    expect(rebuilt.earlyWarnings.map((warning) => [warning.earlyWarningNo, warning.kind, warning.status])).toEqual(
      eventBuilt.earlyWarnings.map((warning) => [warning.earlyWarningNo, warning.kind, warning.status]),
    );

    // The stale warning: cleared and resolved by the system, audited under the refresh's run.
    expect(await db('early_warnings').where('id', stale.id).first()).toMatchObject({ status: 'RESOLVED', version: Number(stale.version) + 1 });
    const auditStore = await openAuditStore(graph.databases.config);
    try {
      const [record] = await auditRecordsOf(auditStore, 'job:insights-refresh', `EarlyWarning:${stale.early_warning_no}`, 1);
      expect(record).toMatchObject({ request_id: resumed.runId, staff_id: 'system:insights', role: 'SYSTEM' });
      const change = JSON.parse(String(record!['change'])) as { beforeVersion: number; afterVersion: number; fields: Record<string, unknown> };
      expect(change).toMatchObject({ beforeVersion: Number(stale.version), afterVersion: Number(stale.version) + 1 });
      expect(Object.keys(change.fields).sort()).toEqual(['cleared_at', 'resolved_at', 'status']);
      // Its hand-over row went once the record was stored (the command's close waits for that).
      expect(await db('write_side_audit_handoff').where('decision_id', String(record!['decision_id']))).toEqual([]);
    } finally {
      await auditStore.destroy();
    }
  });

  it('insights:refresh writes only what differs from the graph: a changed fact put back, a missing one restored, one the graph lacks deleted', async () => {
    const db = graph.subgraphs['insights']!.db;
    const graphql: GraphQLCaller = (query, variables) => graph.query(query, variables, REFRESHER);
    const audit = await openRefreshAudit(graph);
    const refresh = () => refreshInsights({ db, rules: insightRules, graphql, pageSize: 20, changeAudit: audit.trail, policyVersion: 'test' });
    try {
      expect(await refresh()).toMatchObject({ completed: true, customers: 60 });
      // In step with the graph. Every fact stamped long ago, so a rewritten row shows; then three made to differ.
      const LONG_AGO = '2000-01-01 00:00:00';
      for (const table of ['insight_customers', 'insight_policies', 'insight_claims', 'insight_complaints']) await db(table).update({ updated_at: LONG_AGO });
      const changed = (await db('insight_policies').orderBy('policy_no').first()) as {
        policy_no: string;
        customer_id: number | string;
        written_premium: number | string;
      };
      const missing = (await db('insight_claims').orderBy('report_no').first()) as Record<string, unknown> & { report_no: string };
      await db('insight_policies').where('policy_no', changed.policy_no).update({ written_premium: '1.00' });
      await db('insight_claims').where('report_no', missing.report_no).delete();
      const phantom = { ...(await db('insight_policies').where('policy_no', changed.policy_no).first()), policy_no: 'PHANTOM00000001' };
      await db('insight_policies').insert(phantom);

      expect(await refresh()).toMatchObject({ completed: true, customers: 60 });
      const restored = (await db('insight_policies').where('policy_no', changed.policy_no).first()) as { written_premium: number | string };
      expect(Number(restored.written_premium)).toBe(Number(changed.written_premium));
      const back = (await db('insight_claims').where('report_no', missing.report_no).first()) as Record<string, unknown>;
      const { updated_at: _missingStamp, ...missingFacts } = missing;
      const { updated_at: backStamp, ...backFacts } = back;
      expect(backFacts).toEqual(missingFacts);
      expect(String(backStamp)).not.toBe(LONG_AGO);
      expect(await db('insight_policies').where('policy_no', phantom.policy_no)).toEqual([]);
      // Nothing else rewritten.
      const rewritten = async (table: string) => ((await db(table).whereNot('updated_at', LONG_AGO).select('*')) as object[]).length;
      expect(await rewritten('insight_customers')).toBe(0);
      expect(await rewritten('insight_policies')).toBe(1);
      expect(await rewritten('insight_claims')).toBe(1);
      expect(await rewritten('insight_complaints')).toBe(0);
    } finally {
      await audit.close();
    }
  });

  it('npm run insights:refresh, the command, rebuilds the read model with the rules on a worker thread, as the calling thread computes it', async () => {
    const { code, stderr } = await runRefreshCommand(graph);
    expect({ code, stderr }).toMatchObject({ code: 0, stderr: expect.stringMatching(/^refreshed 60 customers in [\d.]+ s, asOf /m) });
    expect(stderr).toMatch(/^facts 60 \/ 60$/m);
    expect(stderr).toMatch(/^insights 60 \/ 60$/m);
    const db = graph.subgraphs['insights']!.db;
    const run = (await db('insight_refresh_runs').where('status', 'DONE').orderBy('finished_at', 'desc').orderBy('started_at', 'desc').first()) as {
      as_of: string;
    };
    const asOf = new Date(`${String(run.as_of).slice(0, 19).replace(' ', 'T')}Z`);
    expect(stderr).toContain(`asOf ${asOf.toISOString()}`);
    const state = async () => ({
      insights: await db('customer_insights').orderBy('customer_id'),
      warnings: await db('early_warnings')
        .whereNull('cleared_at')
        .orderBy('id')
        .select('early_warning_no', 'kind', 'level', 'finding_key', 'figures', 'version'),
    });
    const byCommand = await state();
    expect(byCommand.insights).toHaveLength(60);

    // The same recompute here, on this thread (the tests run the TypeScript sources): nothing to change.
    await recomputeAll(
      db,
      insightRules,
      asOf,
      () => undefined,
      (body) => db.transaction((trx) => body(trx, () => undefined)),
    );
    expect(await state()).toEqual(byCommand);
  });
});

// Over JetStream once (SQLite): the transport is what differs; the SQL is covered above on both stores. Runs where the
// other NATS suites run (NATS_URL set; .ci/run insists on it).
const NATS_ONLY = TRANSPORTS_UNDER_TEST.filter((transport) => transport === 'nats');
(NATS_ONLY.length > 0 ? describe.each(NATS_ONLY) : describe.skip.each<TransportUnderTest>(['nats']))('insights from events over %s (SQLite)', (transport) => {
  let graph: GraphUnderTest;
  beforeAll(async () => {
    graph = await startGraph({ dialect: 'sqlite', clock: new SettableClock(START), eventTransport: transport });
  }, 240_000);
  afterAll(async () => {
    await graph?.close();
  });

  it("a claim reported by phone reaches the customer's insight", async () => {
    const { caller, before } = await ordinaryCaller(graph, await callers(graph, 6));
    await reportClaim(graph, caller);
    const after = await waitUntil(
      () => readInsight(graph, caller.customerId),
      (state) => state.insight?.figures.claims12m === before.figures.claims12m + 1,
    );
    expect(after.insight?.figures.claims12m).toBe(before.figures.claims12m + 1);
  });
});
