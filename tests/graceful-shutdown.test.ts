import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { subgraphUrlVariable } from '@icg/shared';
import { customerNoFor, DEFAULT_SEED } from '@icg/synthetic';
import { freePort } from '@icg/tools';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { postGraphQL, type GraphQLResponse } from './support/graphql-client';
import { bearerHeaders, TEST_ASSERTION_SECRET, TEST_TOKEN_SECRET } from './support/test-security';
import { TEST_DIALECTS } from './support/test-database';

const ROOT = join(__dirname, '..');
const QUERY = '{ customer(id: "1") { customerNo name } }';

/** Forwards subgraph calls to the real subgraph, each held until the test releases it. */
async function startHoldingForwarder(targetUrl: string): Promise<{ url: string; arrived: Promise<void>; release(): void; server: Server }> {
  let signalArrival: () => void = () => {};
  const arrived = new Promise<void>((resolve) => (signalArrival = resolve));
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      signalArrival();
      void released.then(async () => {
        const headers = Object.fromEntries(
          Object.entries(request.headers).filter(([name]) => !['host', 'content-length', 'connection'].includes(name)),
        ) as Record<string, string>;
        try {
          const answer = await fetch(targetUrl, { method: 'POST', headers, body: Buffer.concat(chunks) });
          response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          response.end(Buffer.from(await answer.arrayBuffer()));
        } catch {
          // A call released after its test ended (the drain cut it off) may find the subgraph already stopped by
          // afterAll: the gateway that asked is gone too, so the connection is just dropped.
          response.destroy();
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, arrived, release: () => release(), server };
}

interface GatewayProcess {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** The compiled gateway entry (what the image runs), over the test's subgraphs and stores. */
async function spawnGateway(graph: GraphUnderTest, subgraphUrls: Record<string, string>, drainMs: number): Promise<GatewayProcess> {
  const port = await freePort();
  const { config } = graph.databases;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: config.dataDir,
    MYSQL_DATABASE_PREFIX: config.mysqlDatabasePrefix,
    AUTH_HS256_SECRET: TEST_TOKEN_SECRET,
    IDENTITY_ASSERTION_SECRET: TEST_ASSERTION_SECRET,
    // Not what this suite is about, and on a busy machine it could outlast the wait for /ready.
    PLAN_WARM_UP: 'false',
    SHUTDOWN_DRAIN_MS: String(drainMs),
    LOG_LEVEL: 'silent',
    APOLLO_TELEMETRY_DISABLED: '1',
  };
  if (config.mysqlUrl) env['MYSQL_URL'] = config.mysqlUrl;
  else delete env['MYSQL_URL'];
  for (const [name, url] of Object.entries(subgraphUrls)) env[subgraphUrlVariable(name)] = url;
  const child = spawn(process.execPath, [join(ROOT, 'gateway', 'dist', 'main.js')], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${url}/ready`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the gateway did not become ready: ${stderr.slice(-500)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, child, exited };
}

/** Resolves once the port refuses new connections. */
async function refusesConnections(port: number): Promise<void> {
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    if (refused) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A GET over the given agent (so over a connection it keeps open). */
function getOver(agent: Agent, url: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { agent }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.once('error', reject);
    request.end();
  });
}

describe.each(TEST_DIALECTS)('stopping the gateway on %s', (dialect) => {
  let graph: GraphUnderTest;
  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: 5 });
  }, 120_000);
  afterAll(async () => graph?.close());

  const subgraphUrlsWith = (customersUrl: string) =>
    Object.fromEntries(Object.values(graph.subgraphs).map(({ name, url }) => [name, name === 'customers' ? customersUrl : `${url}/graphql`]));

  it('answers a request in flight in full after SIGTERM, refuses new connections, then exits 0', async () => {
    const forwarder = await startHoldingForwarder(`${graph.subgraphs.customers!.url}/graphql`);
    const gateway = await spawnGateway(graph, subgraphUrlsWith(forwarder.url), 10_000);
    try {
      const answer: Promise<GraphQLResponse<{ customer: { customerNo: string; name: string } }>> = postGraphQL(
        `${gateway.url}/graphql`,
        QUERY,
        {},
        await bearerHeaders(),
      );
      await forwarder.arrived;
      gateway.child.kill('SIGTERM');
      await refusesConnections(Number(new URL(gateway.url).port));
      forwarder.release();
      const response = await answer;
      expect(response.status).toBe(200);
      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ customer: { customerNo: customerNoFor(DEFAULT_SEED, 1), name: expect.any(String) } });
      expect(await gateway.exited).toBe(0);
    } finally {
      gateway.child.kill('SIGKILL');
      forwarder.server.closeAllConnections();
      forwarder.server.close();
    }
  }, 60_000);

  it('answers /ready with 503 while draining, and cuts off what outlasts SHUTDOWN_DRAIN_MS', async () => {
    const forwarder = await startHoldingForwarder(`${graph.subgraphs.customers!.url}/graphql`);
    const gateway = await spawnGateway(graph, subgraphUrlsWith(forwarder.url), 1_500);
    const keptOpen = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // A load balancer's health checks come over a connection it keeps open.
      expect((await getOver(keptOpen, `${gateway.url}/ready`)).status).toBe(200);
      const answer = postGraphQL(`${gateway.url}/graphql`, QUERY, {}, await bearerHeaders()).then(
        () => 'answered',
        () => 'cut off',
      );
      await forwarder.arrived;
      const signalledAt = Date.now();
      gateway.child.kill('SIGTERM');
      await refusesConnections(Number(new URL(gateway.url).port));
      const ready = await getOver(keptOpen, `${gateway.url}/ready`);
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body)).toEqual({ status: 'stopping' });
      expect(ready.headers.connection).toBe('close');
      // Never released: the drain deadline ends it.
      expect(await answer).toBe('cut off');
      expect(await gateway.exited).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(8_000);
    } finally {
      keptOpen.destroy();
      gateway.child.kill('SIGKILL');
      forwarder.release();
      forwarder.server.closeAllConnections();
      forwarder.server.close();
    }
  }, 60_000);
});
