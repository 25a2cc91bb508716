import { AUDIT_TABLE, openAuditStore, type Knex } from '@icg/shared';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { TEST_DIALECTS } from './support/test-database';

const CHOSEN_BY_CLIENT = 'shared-by-two-staff';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Reads a CONFIDENTIAL field, so each request leaves audit records under its request id.
const AUDITED_QUERY = '{ customer(id: "1") { customerNo mobile } }';

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(TEST_DIALECTS)('request ids on %s', (dialect) => {
  let graph: GraphUnderTest;
  let auditStore: Knex;
  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: 5 });
    auditStore = await openAuditStore(graph.databases.config);
  }, 120_000);
  afterAll(async () => {
    await auditStore?.destroy();
    await graph?.close();
  });

  const requestIdsInAudit = async (requestId: string) => (await auditStore.table(AUDIT_TABLE).where({ request_id: requestId }).select('request_id')).length;

  it("are the gateway's own, whatever x-request-id two staff send; the client's id comes back as the correlation id", async () => {
    const manager = await graph.query(AUDITED_QUERY, {}, { role: 'CUSTOMER_MANAGER' }, { 'x-request-id': CHOSEN_BY_CLIENT });
    const operator = await graph.query(AUDITED_QUERY, {}, { role: 'OPERATOR' }, { 'x-request-id': CHOSEN_BY_CLIENT });
    const ids = [manager, operator].map((response) => response.headers.get('x-request-id')!);
    expect(ids[0]).toMatch(UUID);
    expect(ids[1]).toMatch(UUID);
    expect(ids[0]).not.toBe(ids[1]);
    for (const response of [manager, operator]) expect(response.headers.get('x-correlation-id')).toBe(CHOSEN_BY_CLIENT);
    for (const id of ids)
      await eventually(
        () => requestIdsInAudit(id),
        (count) => count > 0,
      );
    expect(await requestIdsInAudit(CHOSEN_BY_CLIENT)).toBe(0);
  });
});
