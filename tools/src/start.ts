import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describeDatabase, EnvReader, eventsUrlVariable, loadDatabaseConfig, loadGatewayConfig, subgraphPortVariable } from '@icg/shared';
import { DEFAULT_SEED, isStoreSeeded, seedStores } from '@icg/synthetic';
import { CUSTOMER_360_QUERY } from './example-queries';
import { formatProgress } from './seed-progress';
import { SERVER_NODE_FLAGS } from './server-node-flags';
import { SUBGRAPH_REGISTRY } from './subgraph-registry';
import { developmentTokenSecret } from './development-token-secret';
import { SERVER_LISTENING_MESSAGE, TOKEN_ENV } from '@icg/shared';

const ROOT = join(__dirname, '..', '..');

/** Runs a package's compiled entry with the same environment, its output prefixed with its name. */
function launch(name: string, entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  // The IPC channel carries one message: the server holds its port (SERVER_LISTENING_MESSAGE).
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, join(ROOT, entry)], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => `[${name}] ${line}\n`)
      .join('');
  child.stdout!.on('data', (chunk: Buffer) => process.stdout.write(prefix(chunk)));
  child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(prefix(chunk)));
  return child;
}

/**
 * Until `child` says it holds its port: only then is an answer on that port its own, and not another process's that held
 * the port first (the child then fails to listen and exits, which fails this at once rather than at the deadline).
 */
function listening(child: ChildProcess, name: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`${name} did not start listening within ${timeoutMs / 1000} s`)), timeoutMs);
    const onMessage = (message: unknown) => {
      if ((message as { icg?: unknown } | null)?.icg === SERVER_LISTENING_MESSAGE.icg) finish();
    };
    const onExit = () => finish(new Error(`${name} exited before it was listening; its output above says why`));
    const finish = (error?: Error) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Polls `url` until it answers 200, once `child` holds its port; fails at once if `child` exits meanwhile. */
async function waitUntilReady(url: string, name: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await listening(child, name, timeoutMs);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited before it was ready; its output above says why`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${name} did not become ready at ${url} within ${timeoutMs / 1000} s`);
}

/** `npm start`: seeds on first run, starts every subgraph and the gateway, prints how to query. */
async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, APOLLO_TELEMETRY_DISABLED: '1' };
  // Seven servers on a laptop: one process each unless WORKERS says otherwise (a server's own default is one per core).
  env['WORKERS'] ||= '1';
  // As the image runs them (Dockerfile): graphql-js's development-only checks (a costly instanceOf on every type test) off.
  env['NODE_ENV'] ||= 'production';
  // No identity provider configured: development tokens, signed with a secret kept in DATA_DIR.
  const tokenSecret = developmentTokenSecret(env);
  if (tokenSecret !== undefined) env[TOKEN_ENV.secret] = tokenSecret;
  const reader = new EnvReader(env);
  const seedCustomers = reader.int('SEED_CUSTOMERS', 2_000, { min: 1, max: 10_000_000 });
  const databaseConfig = loadDatabaseConfig(env);
  const gatewayConfig = loadGatewayConfig(env);

  const unseeded = [];
  for (const store of SUBGRAPH_REGISTRY) if (!(await isStoreSeeded(databaseConfig, store))) unseeded.push(store);
  if (unseeded.length === SUBGRAPH_REGISTRY.length) {
    process.stderr.write(`first run: seeding ${seedCustomers} customers into ${describeDatabase(databaseConfig, '<subgraph>')}\n`);
    await seedStores({
      config: databaseConfig,
      stores: SUBGRAPH_REGISTRY,
      customers: seedCustomers,
      seed: DEFAULT_SEED,
      onProgress: (progress) => process.stderr.write(`${formatProgress(progress)}\n`),
    });
  } else if (unseeded.length) {
    process.stderr.write(`warning: ${unseeded.map((store) => store.manifest.name).join(', ')} has no data while others do; run npm run seed -- --reset\n`);
  }

  // Where each subgraph receives events from the others (HTTP, the embedded default), unless configured.
  for (const { manifest } of SUBGRAPH_REGISTRY) {
    const port = reader.port(subgraphPortVariable(manifest.name), manifest.defaultPort);
    env[eventsUrlVariable(manifest.name)] ??= `http://127.0.0.1:${port}/events`;
  }

  const children: ChildProcess[] = [];
  let stopping = false;
  const stop = (code: number) => {
    stopping = true;
    for (const child of children) child.kill('SIGTERM');
    setTimeout(() => process.exit(code), 500).unref();
  };
  process.once('SIGINT', () => stop(0));
  process.once('SIGTERM', () => stop(0));
  const watch = (child: ChildProcess, name: string) =>
    child.once('exit', (code) => {
      if (!stopping) {
        process.stderr.write(`${name} exited with code ${code}; stopping\n`);
        stop(1);
      }
    });

  const subgraphs = SUBGRAPH_REGISTRY.map(({ manifest, directory }) => {
    const child = launch(manifest.name, `${directory}/dist/main.js`, env);
    children.push(child);
    watch(child, manifest.name);
    return { manifest, child };
  });
  for (const { manifest, child } of subgraphs) {
    const port = reader.port(subgraphPortVariable(manifest.name), manifest.defaultPort);
    await waitUntilReady(`http://127.0.0.1:${port}/ready`, manifest.name, 60_000, child);
  }
  const gateway = launch('gateway', 'gateway/dist/main.js', env);
  children.push(gateway);
  watch(gateway, 'gateway');
  const gatewayUrl = `http://127.0.0.1:${gatewayConfig.port}`;
  await waitUntilReady(`${gatewayUrl}/ready`, 'gateway', 30_000, gateway);

  const body = JSON.stringify({ query: CUSTOMER_360_QUERY.replace(/\s+/g, ' '), variables: { id: '1' } });
  process.stdout.write(`
The insurer customer graph is up: ${gatewayUrl}/graphql

Customer 360 for customer 1:
${CUSTOMER_360_QUERY}

Try it as an auditor (reads everything, every read audited), then as other roles
(CUSTOMER_MANAGER, HOTLINE_AGENT, BI_ANALYST, …) to see fields masked or denied:
  TOKEN=$(npm run -s token -- --role AUDITOR --purpose AUDIT)
  curl -s ${gatewayUrl}/graphql -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \\
    -d '${body}'

Stop with Ctrl-C.
`);
}

main().catch((error: unknown) => {
  process.stderr.write(`start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
