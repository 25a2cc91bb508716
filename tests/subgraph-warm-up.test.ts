import { AUDIT_TABLE, createLogger, openAuditStore, WARM_UP_REQUEST_ID, type Knex } from '@icg/shared';
import { WARM_UP_STAFF_ID } from '@icg/gateway';
import { SUBGRAPH_REGISTRY } from '@icg/tools';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { TEST_DIALECTS } from './support/test-database';

interface LogLine {
  name: string;
  msg: string;
  operations?: number;
  outcome?: string;
  failed?: string[] | Record<string, number> | number;
  sent?: number;
}

describe.each(TEST_DIALECTS)('each subgraph, then the gateway, runs its request path before it reports ready (%s)', (dialect) => {
  const lines: LogLine[] = [];
  let graph: GraphUnderTest;
  let auditStore: Knex;

  beforeAll(async () => {
    graph = await startGraph({
      dialect,
      customers: 10,
      planWarmUp: true,
      loggerFor: (server) => createLogger(server, 'info', { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) }),
    });
    auditStore = await openAuditStore(graph.databases.config);
  }, 120_000);
  afterAll(async () => {
    await auditStore?.destroy();
    await graph?.close();
  });

  it('fetches every entity type it knows, for a key no record has, without an error', () => {
    for (const { manifest } of SUBGRAPH_REGISTRY) {
      const warmed = lines.filter((line) => line.name === `subgraph-${manifest.name}` && line.msg.startsWith('request path warmed up'));
      expect({ subgraph: manifest.name, warmed }).toEqual({
        subgraph: manifest.name,
        warmed: [expect.objectContaining({ msg: 'request path warmed up', operations: Object.keys(manifest.entities).length, outcome: 'done', failed: [] })],
      });
    }
  });

  it("sends the known operations' subgraph fetches and runs the customer-360 once, for absent ids, without an error", () => {
    const gateway = lines.filter((line) => line.name === 'gateway');
    const fetches = gateway.find((line) => line.msg.startsWith('subgraph fetches of the known operations warmed up'));
    expect(fetches).toMatchObject({ msg: 'subgraph fetches of the known operations warmed up', failed: {} });
    // The customer-360's fetches: customers, then each system holding the customer's records.
    expect(fetches!.sent).toBeGreaterThanOrEqual(5);
    expect(gateway.find((line) => line.msg === 'known operations run once for absent ids')).toMatchObject({ operations: 1, failed: 0 });
  });

  it('reads nothing a caller could be audited for, and leaves no audit record', async () => {
    // A first request through the gateway, so the audit writers have been asked to write at least once.
    const response = await graph.query('query { customer(id: "1") { id idNumber } }');
    expect(response.errors).toBeUndefined();
    const count = async (where: Record<string, string> = {}) =>
      Number((await auditStore.table(AUDIT_TABLE).where(where).count<{ count: number }[]>({ count: '*' }))[0]!.count);
    // The request's own record (idNumber is audited) shows the writers have written since the warm-up.
    const deadline = Date.now() + 10_000;
    while ((await count()) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await count()).toBeGreaterThan(0);
    expect(await count({ request_id: WARM_UP_REQUEST_ID })).toBe(0);
    expect(await count({ staff_id: WARM_UP_STAFF_ID })).toBe(0);
  });
});
