/**
 * Issue 12, staying power: a subgraph failing most of its recent calls is not called for a while. Its fields fail
 * fast with SUBGRAPH_UNAVAILABLE (the other subgraphs' data still comes back), then one probe call goes through;
 * a failed probe opens the circuit again, a good one closes it. The service-requests subgraph sits behind a proxy
 * that counts the calls reaching it and can be made to fail (502). On SQLite, and on MariaDB when MYSQL_URL is set.
 */
import { CUSTOMER_360_QUERY } from '@icg/tools';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { startRecordingProxy, type RecordingProxy } from './support/recording-proxy';
import { TEST_DIALECTS } from './support/test-database';

const MINIMUM_CALLS = 5;
const OPEN_MS = 5_000;
/** Nothing listens on port 1: every call the proxy forwards there fails, and it answers 502. */
const DEAD_END = 'http://127.0.0.1:1/graphql';

interface Customer360 {
  customer: { customerNo: string; serviceRequests: unknown[] | null } | null;
}

describe.each(TEST_DIALECTS)('the circuit breaker in front of a failing subgraph (%s)', (dialect) => {
  let graph: GraphUnderTest;
  let proxy: RecordingProxy;
  let serviceRequestsUrl: string;

  beforeAll(async () => {
    proxy = await startRecordingProxy();
    graph = await startGraph({
      dialect,
      customers: 10,
      subgraphUrlOverrides: { 'service-requests': proxy.url },
      circuitBreaker: { failureRateThreshold: 0.5, minimumCalls: MINIMUM_CALLS, windowMs: 30_000, openMs: OPEN_MS },
    });
    serviceRequestsUrl = `${graph.subgraphs['service-requests']!.url}/graphql`;
    proxy.forwardTo(serviceRequestsUrl);
  }, 120_000);
  afterAll(async () => {
    await graph?.close();
    await proxy?.close();
  });

  const customer360 = () => graph.query<Customer360>(CUSTOMER_360_QUERY, { id: '1' });
  const callsReaching = () => proxy.captured.length;
  const serviceRequestsErrors = (errors: { extensions?: Record<string, unknown> }[] | undefined) =>
    (errors ?? []).filter((error) => error.extensions?.['subgraph'] === 'service-requests').map((error) => error.extensions?.['code']);
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('stops calling a failing subgraph, fails its fields fast, probes after the open period and recovers', async () => {
    const healthy = await customer360();
    expect(healthy.errors).toBeUndefined();
    expect(healthy.data!.customer!.serviceRequests).toEqual(expect.any(Array));

    proxy.forwardTo(DEAD_END);
    const before = callsReaching();
    for (let i = 0; i < MINIMUM_CALLS; i += 1) {
      const failing = await customer360();
      expect(serviceRequestsErrors(failing.errors)).toEqual(['SUBGRAPH_UNAVAILABLE']);
      expect(failing.data!.customer!.customerNo).toMatch(/^CU/);
    }
    // The healthy call and four failed ones make MINIMUM_CALLS calls in the window, 80 % failed: the circuit opened
    // then, so the fifth failing request was already answered without a call.
    expect(callsReaching() - before).toBe(MINIMUM_CALLS - 1);

    // Open: the same answer, but no call leaves the gateway.
    const open = callsReaching();
    for (let i = 0; i < 5; i += 1) {
      const fastFailing = await customer360();
      expect(serviceRequestsErrors(fastFailing.errors)).toEqual(['SUBGRAPH_UNAVAILABLE']);
      expect(fastFailing.data!.customer!.customerNo).toMatch(/^CU/);
      expect(JSON.stringify(fastFailing.errors)).not.toMatch(/127\.0\.0\.1|circuit|ECONNREFUSED/);
    }
    expect(callsReaching()).toBe(open);

    // After the open period one probe goes out; it fails, so the circuit opens again for another period.
    await pause(OPEN_MS + 200);
    await customer360();
    expect(callsReaching()).toBe(open + 1);
    await customer360();
    expect(callsReaching()).toBe(open + 1);

    // The subgraph is back: the next probe succeeds and closes the circuit; every call goes through again.
    proxy.forwardTo(serviceRequestsUrl);
    await pause(OPEN_MS + 200);
    const recovered = await customer360();
    expect(recovered.errors).toBeUndefined();
    expect(recovered.data).toEqual(healthy.data);
    const closed = callsReaching();
    for (let i = 0; i < 3; i += 1) expect((await customer360()).errors).toBeUndefined();
    expect(callsReaching()).toBe(closed + 3);
  }, 60_000);
});
