import { createHash } from 'node:crypto';
import { AUDIT_TABLE, loadAccessPolicy, openAuditStore, verifyAuditChains, type AuditRow, type Knex } from '@icg/shared';
import { DEFAULT_AS_OF, DEFAULT_SEED, generateCompanyBatch, generateOrg } from '@icg/synthetic';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SUPERGRAPH_PATH, readFieldClassifications } from '@icg/gateway';
import { CUSTOMER_360_QUERY } from '@icg/tools';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { staffIdentity, TEST_AUDIT_CHAIN_KEY } from './support/test-security';
import { TEST_DIALECTS } from './support/test-database';

const CUSTOMERS = 40;
/** Small enough that a store outage fills the subgraphs' audit queues within a few requests. */
const SUBGRAPH_AUDIT_MAX_QUEUED = 40;
const classifications = readFieldClassifications(readFileSync(DEFAULT_SUPERGRAPH_PATH, 'utf8'));
const company = generateCompanyBatch({
  seed: DEFAULT_SEED,
  asOf: DEFAULT_AS_OF,
  org: generateOrg(DEFAULT_SEED),
  firstCustomerId: 1,
  lastCustomerId: CUSTOMERS,
});
const manager = staffIdentity({ role: 'CUSTOMER_MANAGER' });
const ownCustomer = company.customers.find((customer) => String(customer.primaryManagerStaffId) === manager.staffId)!;
const otherCustomer = company.customers.find((customer) => !customer.branchPath.startsWith(manager.branchPath))!;

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`not met within ${timeoutMs} ms: ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(TEST_DIALECTS)('the audit trail on %s', (dialect) => {
  let graph: GraphUnderTest;
  let auditStore: Knex;
  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: CUSTOMERS, subgraphAudit: { maxQueued: SUBGRAPH_AUDIT_MAX_QUEUED } });
    auditStore = await openAuditStore(graph.databases.config);
  }, 120_000);
  afterAll(async () => {
    await auditStore?.destroy();
    await graph?.close();
  });

  const rowsOf = (requestId: string) => auditStore.table(AUDIT_TABLE).where({ request_id: requestId }).select<AuditRow[]>('*');
  const verify = () =>
    verifyAuditChains(auditStore, { chainKey: TEST_AUDIT_CHAIN_KEY, checkpointPath: join(graph.databases.config.dataDir, 'audit-checkpoints.jsonl') });
  const keysOf = (row: AuditRow) => JSON.parse(row.record_pseudonyms ?? '[]') as string[];

  it('records each decision on a sensitive field with who, why, what and the policy version', async () => {
    const response = await graph.query(CUSTOMER_360_QUERY, { id: String(ownCustomer.id) }, { role: 'CUSTOMER_MANAGER' });
    const requestId = response.headers.get('x-request-id')!;
    const rows = await eventually(
      () => rowsOf(requestId),
      (found) => found.some((row) => row.coordinate === 'Customer.mobile'),
    );
    const mobile = rows.find((row) => row.coordinate === 'Customer.mobile')!;
    expect(mobile).toMatchObject({
      staff_id: manager.staffId,
      role: 'CUSTOMER_MANAGER',
      purpose: null,
      operation_name: 'Customer360',
      operation_hash: createHash('sha256').update(CUSTOMER_360_QUERY).digest('hex'),
      decision: 'ALLOW',
      policy_version: loadAccessPolicy(undefined).version,
    });
    // Only sensitive tiers are audited: customerNo (INTERNAL) is not.
    expect(rows.map((row) => row.coordinate)).not.toContain('Customer.customerNo');
    const tiers = new Set<string | undefined>(rows.map((row) => classifications.get(row.coordinate)?.tier));
    expect([...tiers].every((tier) => tier === 'CONFIDENTIAL' || tier === 'RESTRICTED')).toBe(true);
    expect(tiers.has('CONFIDENTIAL')).toBe(true);
    // One record per coordinate and decision, naming the customer by its pseudonym only.
    expect(rows.filter((row) => row.coordinate === 'Customer.mobile')).toHaveLength(1);
    expect(keysOf(mobile)).toEqual([expect.stringMatching(/^ps_/)]);
  });

  it('records a page of customers as one record per coordinate and decision, listing every customer', async () => {
    const response = await graph.query<{ customers: { nodes: { name: string | null }[] } }>(
      '{ customers(first: 25) { nodes { name } } }',
      {},
      { role: 'AUDITOR', purpose: 'AUDIT' },
    );
    expect(response.data!.customers.nodes.every((node) => node.name !== null)).toBe(true);
    const requestId = response.headers.get('x-request-id')!;
    const rows = await eventually(
      () => rowsOf(requestId),
      (found) => found.length > 0,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ coordinate: 'Customer.name', decision: 'ALLOW', format: 2, record_pseudonym: '' });
    expect(new Set(keysOf(rows[0]!)).size).toBe(25);
  });

  it("records masks and denials too, and a denial's error leads to its record", async () => {
    const response = await graph.query(CUSTOMER_360_QUERY.replace('mobile', 'mobile idNumber'), { id: String(otherCustomer.id) }, { role: 'CUSTOMER_MANAGER' });
    const requestId = response.headers.get('x-request-id')!;
    const denial = response.errors!.find((error) => error.extensions?.['coordinate'] === 'Customer.idNumber')!;
    expect(denial.extensions).toMatchObject({ code: 'FORBIDDEN_FIELD', tier: 'RESTRICTED' });
    const rows = await eventually(
      () => rowsOf(requestId),
      (found) => found.some((row) => row.decision_id === denial.extensions!['decisionId']),
    );
    expect(rows.find((row) => row.coordinate === 'Customer.mobile')).toMatchObject({ decision: 'MASK', rule: 'CUSTOMER_MANAGER/CONFIDENTIAL/out' });
    expect(rows.find((row) => row.decision_id === denial.extensions!['decisionId'])).toMatchObject({ coordinate: 'Customer.idNumber', decision: 'DENY' });
  });

  it('never stores a raw ID number, mobile or name, and its hash chains verify', async () => {
    await graph.query(CUSTOMER_360_QUERY, { id: String(ownCustomer.id) }, { role: 'AUDITOR', purpose: 'AUDIT' });
    await eventually(
      () => auditStore.table(AUDIT_TABLE).where({ role: 'AUDITOR' }).count<{ count: number }[]>({ count: '*' }),
      (rows) => Number(rows[0]!.count) > 0,
    );
    const everything = JSON.stringify(await auditStore.table(AUDIT_TABLE).select('*'));
    for (const customer of company.customers) {
      expect(everything).not.toContain(customer.idNumber);
      expect(everything).not.toContain(customer.mobile);
      expect(everything).not.toContain(customer.name);
    }
    const verification = await verify();
    expect(verification).toMatchObject({ ok: true, checkpointProblems: [] });
    expect(verification.records).toBeGreaterThan(0);
    expect(verification.chains).toBeGreaterThanOrEqual(2);
  });

  it('refuses clear RESTRICTED values while the audit store cannot take writes, and recovers', async () => {
    const ask = () =>
      graph.query<{ customer: { idNumber: string | null } }>(`{ customer(id: "${ownCustomer.id}") { idNumber } }`, {}, { role: 'AUDITOR', purpose: 'AUDIT' });
    expect((await ask()).data!.customer.idNumber).toBe(ownCustomer.idNumber);
    await auditStore.schema.renameTable(AUDIT_TABLE, `${AUDIT_TABLE}_away`);
    try {
      // The first reading is queued; once its flush fails the writer reports unhealthy.
      const refused = await eventually(ask, (response) => response.data!.customer.idNumber === null);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN_FIELD', coordinate: 'Customer.idNumber' });
    } finally {
      await auditStore.schema.renameTable(`${AUDIT_TABLE}_away`, AUDIT_TABLE);
    }
    const recovered = await eventually(ask, (response) => response.data!.customer.idNumber !== null);
    expect(recovered.data!.customer.idNumber).toBe(ownCustomer.idNumber);
    await eventually(verify, (verification) => verification.ok);
  }, 60_000);

  it('refuses every audited value, CONFIDENTIAL too, while the audit queue cannot take its records, and keeps them all', async () => {
    const ask = () =>
      graph.query<{ customer: { customerNo: string; name: string | null; mobile: string | null } }>(
        `{ customer(id: "${ownCustomer.id}") { customerNo name mobile } }`,
        {},
        { role: 'AUDITOR', purpose: 'AUDIT' },
      );
    expect((await ask()).data!.customer.name).toBe(ownCustomer.name);
    await auditStore.schema.renameTable(AUDIT_TABLE, `${AUDIT_TABLE}_away`);
    /** Request id → the audited fields it was served (a request at the brink can get one and not the other). */
    const served = new Map<string, string[]>();
    let refused: Awaited<ReturnType<typeof ask>>;
    try {
      // Each answered request's records wait in the queue; once it is full, audited values are refused.
      refused = await eventually(
        async () => {
          const response = await ask();
          const { name, mobile } = response.data!.customer;
          const fields = [...(name !== null ? ['Customer.name'] : []), ...(mobile !== null ? ['Customer.mobile'] : [])];
          if (fields.length > 0) served.set(response.headers.get('x-request-id')!, fields);
          return response;
        },
        (response) => response.data!.customer.name === null,
        30_000,
      );
    } finally {
      await auditStore.schema.renameTable(`${AUDIT_TABLE}_away`, AUDIT_TABLE);
    }
    // INTERNAL values are still served; the CONFIDENTIAL ones are null with an error each.
    expect(refused.data!.customer).toEqual({ customerNo: ownCustomer.customerNo, name: null, mobile: null });
    expect(refused.errors?.map((error) => [error.extensions?.['code'], error.extensions?.['coordinate']])).toEqual(
      expect.arrayContaining([
        ['FORBIDDEN_FIELD', 'Customer.name'],
        ['FORBIDDEN_FIELD', 'Customer.mobile'],
      ]),
    );
    expect(served.size).toBeGreaterThan(0);
    // Every value that was served has its record, once the store is back.
    for (const [requestId, fields] of served) {
      const rows = await eventually(
        () => rowsOf(requestId),
        (found) => fields.every((field) => found.some((row) => row.coordinate === field)),
        20_000,
      );
      expect(rows.map((row) => row.coordinate)).toEqual(expect.arrayContaining(fields));
    }
    expect((await eventually(ask, (response) => response.data!.customer.name !== null, 20_000)).data!.customer.name).toBe(ownCustomer.name);
    await eventually(verify, (verification) => verification.ok);
  }, 90_000);
});
