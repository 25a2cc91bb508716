import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startGateway } from '@icg/gateway';
import {
  AUDIT_TABLE,
  dropMysqlDatabase,
  mintDevelopmentToken,
  openAuditStore,
  inProcessSubgraphConfig,
  startSubgraph,
  type DatabaseConfig,
  type RunningSubgraph,
} from '@icg/shared';
import { DEFAULT_SEED, findStaff, generateOrg, identityOfStaff, seedStores } from '@icg/synthetic';
import { composeRegisteredSubgraphs } from '../compose-subgraphs';
import { CUSTOMER_360_QUERY } from '../example-queries';
import { SUBGRAPH_REGISTRY } from '../subgraph-registry';
import { BENCHMARKS_PATH, describeMachine, writeBenchmarkSection } from './benchmark-report';
import { positiveInteger } from './benchmark-options';

/**
 * `npm run bench:audit -- --label <name>`: what the audit trail stores for one customer-360 view (the README's
 * query, as AUDITOR with purpose AUDIT, who reads every field in clear, so every audited field is recorded).
 * Runs the query for `--requests` customers one after another, closes the graph (flushing every record) and
 * measures the audit store: rows, and bytes as the sum of every stored column value's UTF-8 length (what the
 * rows hold, independent of the dialect's page layout). Keeps the rows other labels wrote in its section, so a
 * figure measured before a change stays beside the one measured after it.
 */
const SECTION = 'audit-volume';
const PAGE_REQUESTS = 3;

/** The load of the review that found records dropped: a page of customers with every policy's participants. */
const PAGE_QUERY = 'query Page { customers(first: 200) { nodes { policies { participants { name } } } } }';

interface Volume {
  rows: number;
  bytes: number;
}

interface Measurement {
  label: string;
  rowsPerRequest: number;
  bytesPerRequest: number;
  pageRowsPerRequest: number;
  pageBytesPerRequest: number;
  command: string;
  date: string;
}

function storedBytes(row: Record<string, unknown>): number {
  let bytes = 0;
  for (const value of Object.values(row)) if (value !== null && value !== undefined) bytes += Buffer.byteLength(String(value), 'utf8');
  return bytes;
}

async function measure(customers: number, requests: number, database: DatabaseConfig, dataDir: string): Promise<{ view: Volume; page: Volume }> {
  const assertionSecret = randomBytes(32).toString('base64url');
  const secret = randomBytes(24).toString('base64url');
  const tokenSecret = randomBytes(32).toString('base64url');
  // A variable, not a literal: the settings the audit writer of the code under test knows are taken from it.
  const audit = { pseudonymSecret: secret, chainKey: randomBytes(32).toString('base64url'), flushIntervalMs: 50, batchSize: 500, maxQueued: 1_000_000 };
  const supergraphPath = join(dataDir, 'supergraph.graphql');
  writeFileSync(supergraphPath, composeRegisteredSubgraphs());
  await seedStores({ config: database, stores: SUBGRAPH_REGISTRY, customers, seed: DEFAULT_SEED, reset: true });
  const subgraphs: RunningSubgraph[] = [];
  for (const { manifest } of SUBGRAPH_REGISTRY) {
    const security = { assertionKey: { gatewaySecret: assertionSecret }, accessPolicyPath: undefined, pseudonymSecret: secret, audit };
    const running = await startSubgraph(manifest, inProcessSubgraphConfig(manifest.name, database, security));
    await running.ready;
    subgraphs.push(running);
  }
  const gatewaySecurity = {
    tokens: { keySource: { kind: 'secret' as const, secret: tokenSecret }, issuer: 'icg-dev', audience: 'insurer-customer-graph' },
    assertionSecret,
    accessPolicyPath: undefined,
    audit,
  };
  const gateway = await startGateway({
    database,
    host: '127.0.0.1',
    port: 0,
    supergraphPath,
    subgraphUrls: Object.fromEntries(subgraphs.map((running) => [running.name, `${running.url}/graphql`])),
    subgraphTimeoutMs: 10_000,
    maxBodyBytes: 100_000,
    logLevel: 'silent',
    security: gatewaySecurity,
  });
  const viewRequests = new Set<string>();
  const pageRequests = new Set<string>();
  try {
    const auditor = identityOfStaff(findStaff(generateOrg(DEFAULT_SEED), 'AUDITOR'));
    const token = await mintDevelopmentToken({ secret: tokenSecret, identity: { ...auditor, purpose: 'AUDIT' }, ttlSeconds: 3_600 });
    const ask = async (query: string, variables: object): Promise<string> => {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      const result = (await response.json()) as { data?: Record<string, unknown> | null };
      if (!response.ok || !result.data) throw new Error(`benchmark request failed with ${response.status}`);
      return response.headers.get('x-request-id') ?? '';
    };
    for (let index = 0; index < requests; index++) viewRequests.add(await ask(CUSTOMER_360_QUERY, { id: String(1 + (index % customers)) }));
    for (let index = 0; index < PAGE_REQUESTS; index++) pageRequests.add(await ask(PAGE_QUERY, {}));
  } finally {
    // Closing flushes every queued record to the store.
    await gateway.close();
    for (const running of subgraphs) await running.close();
  }
  const store = await openAuditStore(database);
  try {
    const view: Volume = { rows: 0, bytes: 0 };
    const page: Volume = { rows: 0, bytes: 0 };
    let lastId = 0;
    for (;;) {
      const rows = (await store(AUDIT_TABLE).where('id', '>', lastId).orderBy('id').limit(5_000)) as Record<string, unknown>[];
      for (const row of rows) {
        const requestId = String(row.request_id);
        const volume = viewRequests.has(requestId) ? view : pageRequests.has(requestId) ? page : undefined;
        lastId = Number(row.id);
        if (volume === undefined) continue;
        volume.rows++;
        volume.bytes += storedBytes(row);
      }
      if (rows.length < 5_000) break;
    }
    return { view, page };
  } finally {
    await store.destroy();
  }
}

/** The measurements already in the section, by label, so this run replaces only its own. */
function previousMeasurements(): Measurement[] {
  let document: string;
  try {
    document = readFileSync(BENCHMARKS_PATH, 'utf8');
  } catch {
    return [];
  }
  const section = document.slice(document.indexOf(`<!-- ${SECTION}:start -->`), document.indexOf(`<!-- ${SECTION}:end -->`));
  const measurements: Measurement[] = [];
  for (const line of section.split('\n')) {
    const match = /^\| (\S[^|]*?) \| ([\d.,]+) \| ([\d.,]+) \| ([\d.,]+) \| ([\d.,]+) \| `([^`]+)` \| (\S+) \|$/.exec(line);
    if (match) {
      const number = (text: string) => Number(text.replace(/,/g, ''));
      measurements.push({
        label: match[1]!,
        rowsPerRequest: number(match[2]!),
        bytesPerRequest: number(match[3]!),
        pageRowsPerRequest: number(match[4]!),
        pageBytesPerRequest: number(match[5]!),
        command: match[6]!,
        date: match[7]!,
      });
    }
  }
  return measurements;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { customers: { type: 'string' }, requests: { type: 'string' }, label: { type: 'string' } } });
  const customers = positiveInteger('customers', values.customers, 100);
  const requests = positiveInteger('requests', values.requests, 50);
  const label = values.label ?? 'current';
  if (!/^[\w .,:()/-]{1,60}$/.test(label)) throw new Error('--label may hold letters, digits, spaces and . , : ( ) / - (at most 60)');
  const dataDir = mkdtempSync(join(tmpdir(), 'icg-bench-audit-'));
  const database: DatabaseConfig = { mysqlUrl: process.env['MYSQL_URL'] || undefined, mysqlDatabasePrefix: 'icgbench_aud_', dataDir, poolMax: 10 };
  let result: { view: Volume; page: Volume };
  try {
    result = await measure(customers, requests, database, dataDir);
  } finally {
    if (database.mysqlUrl) for (const store of [...SUBGRAPH_REGISTRY.map((entry) => entry.manifest.name), 'audit']) await dropMysqlDatabase(database, store);
    rmSync(dataDir, { recursive: true, force: true });
  }
  const measurement: Measurement = {
    label,
    rowsPerRequest: result.view.rows / requests,
    bytesPerRequest: result.view.bytes / requests,
    pageRowsPerRequest: result.page.rows / PAGE_REQUESTS,
    pageBytesPerRequest: result.page.bytes / PAGE_REQUESTS,
    command: `npm run bench:audit -- --label "${label}" --customers ${customers} --requests ${requests}${database.mysqlUrl ? ' (MYSQL_URL set)' : ''}`,
    date: new Date().toISOString().slice(0, 10),
  };
  process.stdout.write(
    `${label}: ${measurement.rowsPerRequest.toFixed(1)} rows, ${Math.round(measurement.bytesPerRequest)} bytes per customer-360; ` +
      `${measurement.pageRowsPerRequest.toFixed(1)} rows, ${Math.round(measurement.pageBytesPerRequest)} bytes per page of 200 customers\n`,
  );
  const measurements = [...previousMeasurements().filter((entry) => entry.label !== label), measurement];
  const format = (value: number, digits: number) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  writeBenchmarkSection(
    SECTION,
    [
      '## Audit volume per customer-360 view',
      '',
      'What the audit store holds for one customer-360 view (the README query) read by AUDITOR with purpose AUDIT, who sees every',
      'audited field in clear; and for the load that overflowed the queue in the review, `customers(first: 200) { nodes { policies',
      '{ participants { name } } } }`. Bytes: the sum of every stored column value (UTF-8), i.e. what the rows hold, before indexes.',
      '',
      '| audit trail | customer-360: rows | customer-360: bytes | page of 200: rows | page of 200: bytes | command | date |',
      '|---|---|---|---|---|---|---|',
      ...measurements.map(
        (entry) =>
          `| ${entry.label} | ${format(entry.rowsPerRequest, 1)} | ${format(entry.bytesPerRequest, 0)} | ${format(entry.pageRowsPerRequest, 1)} | ` +
          `${format(entry.pageBytesPerRequest, 0)} | \`${entry.command}\` | ${entry.date} |`,
      ),
      '',
      `- Machine: ${describeMachine()}`,
    ].join('\n'),
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
