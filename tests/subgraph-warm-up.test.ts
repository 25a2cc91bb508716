import { AUDIT_TABLE, createLogger, openAuditStore, WARM_UP_REQUEST_ID, type Knex } from '@icg/shared';
import { SUBGRAPH_REGISTRY } from '@icg/tools';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { TEST_DIALECTS } from './support/test-database';

interface LogLine {
  name: string;
  msg: string;
  operations?: number;
  outcome?: string;
  failed?: string[];
}

describe.each(TEST_DIALECTS)('each subgraph runs its request path before it reports ready (%s)', (dialect) => {
  const lines: LogLine[] = [];
  let graph: GraphUnderTest;
  let auditStore: Knex;

  beforeAll(async () => {
    graph = await startGraph({
      dialect,
      customers: 10,
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
  });
});
