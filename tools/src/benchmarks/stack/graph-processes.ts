/**
 * The whole graph as its own processes, as `npm start` runs it, over stores already seeded: every subgraph on a free
 * loopback port, then the gateway once each subgraph is ready. The secrets are made here and handed to every process
 * (so they do not race to generate them into DATA_DIR), and returned for minting tokens and sealing identifiers.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { eventsUrlVariable, mintDevelopmentToken, subgraphPortVariable, type DatabaseConfig, type Purpose, type StaffRole } from '@icg/shared';
import { DEFAULT_SEED, findStaff, generateOrg, identityOfStaff } from '@icg/synthetic';
import { freePort } from '../../free-port';
import { SUBGRAPH_REGISTRY } from '../../subgraph-registry';
import { answersOk, launchServer, stopServer, waitUntilReady, type ServerProcess } from './stack-processes';

export interface GraphProcesses {
  /** The gateway's GraphQL endpoint. */
  url: string;
  /** What every process was started with (store, ports, secrets): what a tool pointed at this graph needs too. */
  env: NodeJS.ProcessEnv;
  pseudonymSecret: string;
  servers: ServerProcess[];
  /** A bearer token of a seeded staff member of `role`: `staffId`, or the role's first member (README "Development tokens"). */
  token(role: StaffRole, purpose?: Purpose | null, staffId?: string): Promise<string>;
  stop(): Promise<void>;
}

export interface GraphProcessesOptions {
  database: DatabaseConfig;
  /** Server logs, DATA_DIR and the audit checkpoints. */
  runDirectory: string;
  /** Over the defaults, e.g. RATE_LIMITS or LOG_LEVEL. */
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
  /** Node flags for every server after their own, e.g. `--cpu-prof` with a folder (Node refuses it in NODE_OPTIONS). */
  serverFlags?: readonly string[];
}

export async function startGraphProcesses(options: GraphProcessesOptions): Promise<GraphProcesses> {
  const { database, runDirectory } = options;
  const tokenSecret = randomBytes(32).toString('base64url');
  const pseudonymSecret = randomBytes(24).toString('base64url');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    APOLLO_TELEMETRY_DISABLED: '1',
    LOG_LEVEL: 'warn',
    // One process per server, as the figures before WORKERS were measured; options.env may ask for more.
    WORKERS: '1',
    // As the image and `npm start` run them.
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    DATA_DIR: database.dataDir,
    ...(database.mysqlDatabasePrefix ? { MYSQL_DATABASE_PREFIX: database.mysqlDatabasePrefix } : {}),
    ...(database.mysqlUrl ? { MYSQL_URL: database.mysqlUrl } : {}),
    AUTH_HS256_SECRET: tokenSecret,
    IDENTITY_ASSERTION_SECRET: randomBytes(32).toString('base64url'),
    PSEUDONYM_SECRET: pseudonymSecret,
    AUDIT_PSEUDONYM_SECRET: randomBytes(24).toString('base64url'),
    AUDIT_CHAIN_KEY: randomBytes(24).toString('base64url'),
    AUDIT_CHECKPOINT_PATH: join(runDirectory, 'audit-checkpoints.jsonl'),
    ...options.env,
  };
  for (const { manifest } of SUBGRAPH_REGISTRY) {
    const port = await freePort();
    env[subgraphPortVariable(manifest.name)] = String(port);
    env[eventsUrlVariable(manifest.name)] = `http://127.0.0.1:${port}/events`;
  }
  const gatewayPort = await freePort();
  env['PORT'] = String(gatewayPort);
  const servers: ServerProcess[] = [];
  const launchOptions = options.serverFlags ? { extraFlags: options.serverFlags } : {};
  const stop = () => Promise.all(servers.map((server) => stopServer(server))).then(() => undefined);
  try {
    for (const { manifest, directory } of SUBGRAPH_REGISTRY)
      servers.push(launchServer(manifest.name, `${directory}/dist/main.js`, { ...env }, runDirectory, launchOptions));
    for (const [index, { manifest }] of SUBGRAPH_REGISTRY.entries()) {
      await waitUntilReady(servers[index]!, answersOk(`http://127.0.0.1:${env[subgraphPortVariable(manifest.name)]}/ready`), options.readyTimeoutMs ?? 180_000);
    }
    const gateway = launchServer('gateway', 'gateway/dist/main.js', { ...env }, runDirectory, launchOptions);
    servers.push(gateway);
    await waitUntilReady(gateway, answersOk(`http://127.0.0.1:${gatewayPort}/ready`), options.readyTimeoutMs ?? 180_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const org = generateOrg(DEFAULT_SEED);
  return {
    url: `http://127.0.0.1:${gatewayPort}/graphql`,
    env,
    pseudonymSecret,
    servers,
    token: (role, purpose = null, staffId) =>
      mintDevelopmentToken({ secret: tokenSecret, identity: identityOfStaff(findStaff(org, role, staffId), purpose), ttlSeconds: 6 * 3_600 }),
    stop,
  };
}
