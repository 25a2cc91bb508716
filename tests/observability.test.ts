import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createLogger, startTracing, type Logger, type Tracing } from '@icg/shared';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { startRecordingProxy, type RecordingProxy } from './support/recording-proxy';
import { bearerHeaders } from './support/test-security';
import { TEST_DIALECTS } from './support/test-database';

/** A named operation reading personal values (the auditor with a purpose sees them in clear). */
const CUSTOMER_VIEW = 'query CustomerView($id: ID!) { customer(id: $id) { customerNo name mobile idNumber policies { policyNo } } }';
const COMPLAINTS_VIEW = 'query ComplaintsView { customer(id: "17") { customerNo complaints { complaintNo } } }';
const SUBGRAPH_TIMEOUT_MS = 800;

interface LogLine {
  name: string;
  msg: string;
  level: number;
  [field: string]: unknown;
}

/** Every server's log lines, kept as written (JSON text) so a search sees exactly what would reach a log store. */
class CapturedLogs {
  readonly raw: string[] = [];
  loggerFor = (server: string): Logger => createLogger(server, 'info', { write: (line: string) => void this.raw.push(line) });
  lines(): LogLine[] {
    return this.raw.map((line) => JSON.parse(line) as LogLine);
  }
  requestLines(server: string, requestId: string): LogLine[] {
    return this.lines().filter((line) => line.name === server && line.msg === 'request' && line.requestId === requestId);
  }
}

async function eventually<T>(probe: () => T | Promise<T>, accept: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A "subgraph" that takes every request and never answers, so the gateway's call times out. */
async function startSilentServer(): Promise<{ url: string; server: Server }> {
  const server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, server };
}

/** The value of one Prometheus series, e.g. `name{a="x",b="y"}` (labels in any order), or 0 when absent. */
function seriesValue(text: string, series: string): number {
  const [, name, labelText = ''] = /^([^{]+)(?:\{(.*)\})?$/.exec(series)!;
  const wanted = labelText.split(',').filter(Boolean);
  for (const line of text.split('\n')) {
    const match = /^([^{ ]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels = (match[2] ?? '').split(',').filter(Boolean);
    if (labels.length === wanted.length && wanted.every((label) => labels.includes(label))) return Number(match[3]);
  }
  return 0;
}

async function scrape(baseUrl: string, headers: Record<string, string> = {}): Promise<{ status: number; contentType: string | null; text: string }> {
  const response = await fetch(`${baseUrl}/metrics`, { headers });
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
beforeAll(() => {
  tracing = startTracing({ serviceName: 'icg-test', exporter });
});
afterAll(async () => {
  await tracing.shutdown();
});

describe.each(TEST_DIALECTS)('observability on %s', (dialect) => {
  const logs = new CapturedLogs();
  let graph: GraphUnderTest;
  let silent: { url: string; server: Server };
  let policiesProxy: RecordingProxy;

  beforeAll(async () => {
    silent = await startSilentServer();
    policiesProxy = await startRecordingProxy();
    graph = await startGraph({
      dialect,
      customers: 20,
      subgraphTimeoutMs: SUBGRAPH_TIMEOUT_MS,
      subgraphUrlOverrides: { complaints: silent.url, policies: policiesProxy.url },
      loggerFor: logs.loggerFor,
    });
    policiesProxy.forwardTo(`${graph.subgraphs['policies']!.url}/graphql`);
  }, 120_000);
  afterAll(async () => {
    await graph?.close();
    await policiesProxy?.close();
    silent?.server.closeAllConnections();
    await new Promise((resolve) => silent?.server.close(resolve));
  });

  it('a request leaves exactly one log line at the gateway, with ids, caller, operation, status and duration, and no personal data', async () => {
    const response = await graph.query(CUSTOMER_VIEW, { id: '17' }, { role: 'AUDITOR', purpose: 'AUDIT' }, { 'x-correlation-id': 'portal-trace-42' });
    expect(response.status).toBe(200);
    const customer = response.data?.['customer'] as { name: string; mobile: string; idNumber: string };
    expect(customer.mobile).toMatch(/^1\d{10}$/);
    const requestId = response.headers.get('x-request-id')!;

    const lines = await eventually(
      () => logs.requestLines('gateway', requestId),
      (found) => found.length > 0,
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      requestId,
      correlationId: 'portal-trace-42',
      role: 'AUDITOR',
      operationName: 'CustomerView',
      operationHash: createHash('sha256').update(CUSTOMER_VIEW).digest('hex'),
      status: 200,
    });
    expect(typeof lines[0]!['staffId']).toBe('string');
    expect(lines[0]!['durationMs']).toEqual(expect.any(Number));

    // Each subgraph called logs the request under the gateway's id, which joins the logs.
    const customersLines = await eventually(
      () => logs.requestLines('subgraph-customers', requestId),
      (found) => found.length > 0,
    );
    expect(customersLines).toHaveLength(1);
    expect(customersLines[0]).toMatchObject({ role: 'AUDITOR', status: 200, operationHash: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const everything = logs.raw.join('');
    for (const personal of [customer.name, customer.mobile, customer.idNumber]) expect(everything).not.toContain(personal);
    expect(everything).not.toContain('idNumber');
  });

  it('401s, CSRF blocks, oversized and malformed bodies are logged with their status', async () => {
    const unauthenticated = await fetch(graph.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    });
    // CSRF prevention: a GET without a preflight-forcing header is refused whoever sends it.
    const csrf = await fetch(`${graph.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`, { headers: await bearerHeaders() });
    const oversized = await fetch(graph.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await bearerHeaders()) },
      body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(120_000)}` }),
    });
    const malformed = await fetch(graph.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await bearerHeaders()) },
      body: '{"query": ',
    });
    const answers = [
      [unauthenticated, 401],
      [csrf, 400],
      [oversized, 413],
      [malformed, 400],
    ] as const;
    for (const [answer, status] of answers) {
      expect(answer.status).toBe(status);
      const requestId = answer.headers.get('x-request-id')!;
      const lines = await eventually(
        () => logs.requestLines('gateway', requestId),
        (found) => found.length > 0,
      );
      expect(lines).toHaveLength(1);
      expect(lines[0]!['status']).toBe(status);
    }
    expect(logs.requestLines('gateway', unauthenticated.headers.get('x-request-id')!)[0]!['errorCodes']).toEqual(['UNAUTHENTICATED']);
  });

  it('a subgraph timeout is logged at the gateway with the subgraph name, and counted', async () => {
    const before = await scrape(graph.gatewayUrl);
    const response = await graph.query(COMPLAINTS_VIEW);
    expect(response.errors?.map((error) => error.extensions?.['code'])).toContain('SUBGRAPH_TIMEOUT');
    const requestId = response.headers.get('x-request-id')!;
    const failures = await eventually(
      () => logs.lines().filter((line) => line.name === 'gateway' && line.msg === 'subgraph call failed' && line.requestId === requestId),
      (found) => found.length > 0,
    );
    expect(failures).toEqual([expect.objectContaining({ subgraph: 'complaints', failure: 'timeout' })]);
    expect(JSON.stringify(failures)).not.toContain(silent.url);
    const after = await scrape(graph.gatewayUrl);
    const timeouts = 'icg_subgraph_fetch_timeouts_total{subgraph="complaints",server="gateway"}';
    expect(seriesValue(after.text, timeouts)).toBe(seriesValue(before.text, timeouts) + 1);
  });

  it('/metrics on the gateway and every subgraph exposes the named series, which move with requests', async () => {
    const gatewayBefore = await scrape(graph.gatewayUrl);
    const customersBefore = await scrape(graph.subgraphs['customers']!.url);
    expect(gatewayBefore.status).toBe(200);
    expect(gatewayBefore.contentType).toContain('text/plain');
    for (const name of [
      'icg_http_request_duration_seconds',
      'icg_subgraph_fetch_duration_seconds',
      'icg_subgraph_fetch_timeouts_total',
      'icg_audit_queue_depth',
      'icg_audit_reservations_refused_total',
    ]) {
      expect(gatewayBefore.text).toContain(`# TYPE ${name} `);
    }
    for (const subgraph of Object.values(graph.subgraphs)) {
      const { status, text } = await scrape(subgraph.url);
      expect(status).toBe(200);
      for (const name of [
        'icg_http_request_duration_seconds',
        'icg_access_decisions_total',
        'icg_audit_queue_depth',
        'icg_audit_records_dropped_total',
        'icg_db_pool_connections',
      ]) {
        expect(text).toContain(`# TYPE ${name} `);
      }
    }

    // An executive: ALLOW and MASK decisions both move.
    expect((await graph.query(CUSTOMER_VIEW, { id: '17' }, { role: 'EXECUTIVE' })).status).toBe(200);
    const answered = 'icg_http_request_duration_seconds_count{status="200",server="gateway"}';
    // Recorded when the response closes, which may be just after the client has read it.
    const gatewayAfter = await eventually(
      () => scrape(graph.gatewayUrl),
      (scraped) => seriesValue(scraped.text, answered) > seriesValue(gatewayBefore.text, answered),
    );
    const customersAfter = await scrape(graph.subgraphs['customers']!.url);
    expect(seriesValue(gatewayAfter.text, answered)).toBe(seriesValue(gatewayBefore.text, answered) + 1);
    const fetched = 'icg_subgraph_fetch_duration_seconds_count{subgraph="customers",outcome="ok",server="gateway"}';
    expect(seriesValue(gatewayAfter.text, fetched)).toBeGreaterThan(seriesValue(gatewayBefore.text, fetched));
    // customerNo (INTERNAL) in clear, name and mobile (CONFIDENTIAL) masked.
    for (const [outcome, tier] of [
      ['ALLOW', 'INTERNAL'],
      ['MASK', 'CONFIDENTIAL'],
    ]) {
      const decided = `icg_access_decisions_total{outcome="${outcome}",tier="${tier}",server="subgraph-customers"}`;
      expect(seriesValue(customersAfter.text, decided)).toBeGreaterThan(seriesValue(customersBefore.text, decided));
    }
    // Labels hold codes and names, never a record or a caller.
    expect(customersAfter.text).not.toMatch(/staff|requestId|CU\d{10}/);
  });

  it('a trace runs gateway → subgraph → SQL under one trace id, its traceparent reaching the subgraph', async () => {
    exporter.reset();
    const response = await graph.query(CUSTOMER_VIEW, { id: '17' });
    expect(response.status).toBe(200);
    const spans = await eventually(
      () => exporter.getFinishedSpans(),
      (found) => found.some((span) => span.attributes['icg.server'] === 'gateway'),
    );
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const gatewaySpan = spans.find((span) => span.attributes['icg.server'] === 'gateway')!;
    const traceId = gatewaySpan.spanContext().traceId;
    const inTrace = (span: ReadableSpan) => span.spanContext().traceId === traceId;
    const fetchSpan = spans.find((span) => span.attributes['icg.subgraph'] === 'policies' && inTrace(span));
    const policiesServer = spans.find((span) => span.attributes['icg.server'] === 'subgraph-policies' && inTrace(span));
    expect(fetchSpan).toBeDefined();
    expect(policiesServer?.parentSpanId).toBe(fetchSpan!.spanContext().spanId);
    const sql = spans.filter((span) => span.attributes['db.namespace'] === 'policies' && inTrace(span));
    expect(sql.length).toBeGreaterThan(0);
    // Each SQL span leads up, parent by parent, to the subgraph's server span.
    for (const statement of sql) {
      let current: ReadableSpan | undefined = statement;
      while (current && current !== policiesServer) current = current.parentSpanId ? byId.get(current.parentSpanId) : undefined;
      expect(current).toBe(policiesServer);
    }
    // What crossed the wire: the policies call carried the trace's traceparent.
    const sent = policiesProxy.captured.at(-1)!;
    expect(sent.headers['traceparent']).toMatch(new RegExp(`^00-${traceId}-${fetchSpan!.spanContext().spanId}-01$`));
    expect(sql.every((span) => !Object.values(span.attributes).some((value) => String(value).toLowerCase().includes('select ')))).toBe(true);
  });
});
