import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BI_ENTITIES, checkpointPathOf, columnsOf, csvLine, extractDocument, type BiEntity } from '../tools/src/bi-extract';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { postGraphQL, type GraphQLResponse } from './support/graphql-client';
import { bearerHeaders } from './support/test-security';
import { TEST_DIALECTS } from './support/test-database';

const ROOT = join(__dirname, '..');
/** The command npm run bi:extract runs (npm test builds it first). */
const CLI = join(ROOT, 'tools', 'dist', 'bi-extract.js');
const CUSTOMERS = 25;

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the client as a BI analyst would; `killAfterRows` SIGKILLs it once its progress has reached that many rows. */
function runCli(args: readonly string[], options: { killAfterRows?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const shown = [...stderr.matchAll(/: (\d+) \/ \d+ rows/g)].map((match) => Number(match[1]));
      if (options.killAfterRows !== undefined && shown.some((rows) => rows >= options.killAfterRows!)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

/** RFC 4180 as the client writes it (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      index++;
    } else field += char;
  }
  if (field !== '' || row.length > 0) throw new Error('the CSV does not end with a complete line');
  return rows;
}

describe.each(TEST_DIALECTS)('npm run bi:extract on %s', (dialect) => {
  let graph: GraphUnderTest;
  let token: string;
  let folder: string;
  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: CUSTOMERS });
    token = (await bearerHeaders({ role: 'BI_ANALYST' }))['authorization']!.replace(/^Bearer /, '');
    folder = mkdtempSync(join(tmpdir(), 'icg-extract-'));
  }, 120_000);
  afterAll(async () => graph?.close());

  type ConnectionPage = { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: unknown }[] };
  /** The rows as a BI analyst pages the connection directly (ad hoc), flattened as the CSV's columns. */
  async function pagedDirectly(entity: BiEntity, root: string, since?: string): Promise<{ header: string[]; rows: string[][] }> {
    const document = extractDocument(entity, since !== undefined);
    const header = columnsOf(document);
    const rows: string[][] = [];
    let after: string | null = null;
    for (;;) {
      const response: GraphQLResponse<Record<string, ConnectionPage>> = await postGraphQL<Record<string, ConnectionPage>>(
        graph.graphqlUrl,
        document,
        { first: 7, after, ...(since !== undefined ? { since } : {}) },
        await bearerHeaders({ role: 'BI_ANALYST' }),
      );
      expect(response.errors).toBeUndefined();
      const page: ConnectionPage = response.data![root]!;
      for (const { node } of page.edges) {
        rows.push(
          header.map((path) => {
            const value = path.split('.').reduce<unknown>((object, key) => (object as Record<string, unknown> | null)?.[key] ?? null, node);
            return value === null ? '' : String(value);
          }),
        );
      }
      if (!page.pageInfo.hasNextPage) return { header, rows };
      after = page.pageInfo.endCursor;
    }
  }

  const extractArgs = (entity: string, out: string, ...more: string[]) => [
    '--entity',
    entity,
    '--out',
    out,
    '--url',
    graph.graphqlUrl,
    '--token',
    token,
    ...more,
  ];

  it('extracts customers to CSV through a persisted operation: a header and every row paged directly, in order', async () => {
    const out = join(folder, 'customers.csv');
    const run = await runCli(extractArgs('customers', out));
    expect(run.stderr).toContain(`customers: ${CUSTOMERS} / ${CUSTOMERS} rows`);
    expect(run).toMatchObject({ code: 0 });
    const [header, ...rows] = parseCsv(readFileSync(out, 'utf8'));
    const expected = await pagedDirectly('customers', 'customers');
    expect(header).toEqual(expected.header);
    expect(header).toContain('branch.id');
    expect(rows).toEqual(expected.rows);
    expect(rows).toHaveLength(CUSTOMERS);
    // BI's view: customer keys pseudonymised.
    for (const row of rows) expect(row[0]).toMatch(/^ps_/);
    expect(existsSync(checkpointPathOf(out))).toBe(false);
  });

  it('extracts policies, all of them and those changed since a day, as paged directly', async () => {
    const all = join(folder, 'policies.csv');
    const run = await runCli(extractArgs('policies', all));
    expect(run).toMatchObject({ code: 0 });
    // totalCount (a COUNT over the whole table) is asked of the first page only, however many pages there are. Only
    // the policies' counts: the event relay counts its pending deliveries in the same store whenever it likes.
    const counts: string[] = [];
    const noteCount = (query: { sql: string }) => {
      if (/\bcount\(.*\bfrom [`"]?policies[`"]?/i.test(query.sql)) counts.push(query.sql);
    };
    const policiesDb = graph.subgraphs['policies']!.db;
    policiesDb.on('query', noteCount);
    try {
      const paged = await runCli(extractArgs('policies', join(folder, 'policies-small-pages.csv'), '--page-size', '7'));
      expect(paged).toMatchObject({ code: 0 });
      expect(paged.stderr).toContain(`policies: 14 / `);
    } finally {
      policiesDb.off('query', noteCount);
    }
    expect(counts).toHaveLength(1);
    const [header, ...rows] = parseCsv(readFileSync(all, 'utf8'));
    const expected = await pagedDirectly('policies', 'policies');
    expect(header).toEqual(expected.header);
    expect(header).toEqual(expect.arrayContaining(['policyNo', 'lineOfBusiness', 'customer.id', 'issuingBranch.id']));
    expect(rows).toEqual(expected.rows);
    expect(rows.length).toBeGreaterThan(CUSTOMERS);
    expect(run.stderr).toContain(`policies: ${rows.length} / ${rows.length} rows`);
    // An incremental extract: the day is the median effective date, so some policies are left out (seeded records
    // were last changed on their own dates).
    const days = rows.map((row) => row[header.indexOf('effectiveDate')]!).sort();
    const since = days[Math.floor(days.length / 2)]!;
    const recent = join(folder, 'policies-since.csv');
    const incremental = await runCli(extractArgs('policies', recent, '--since', since));
    expect(incremental).toMatchObject({ code: 0 });
    const [, ...recentRows] = parseCsv(readFileSync(recent, 'utf8'));
    expect(recentRows).toEqual((await pagedDirectly('policies', 'policies', since)).rows);
    expect(recentRows.length).toBeGreaterThan(0);
    expect(recentRows.length).toBeLessThan(rows.length);
  });

  it("registers every entity's extract document for a BI analyst: each field is one the role may read", async () => {
    for (const entity of BI_ENTITIES) {
      // Customers have no updatedSince filter: their extract is always whole.
      for (const since of entity === 'customers' ? [false] : [false, true]) {
        const response = await fetch(`${graph.gatewayUrl}/operations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: extractDocument(entity, since) }),
        });
        // The entity and the variant stay in the message when it fails; the body says what was refused.
        expect({ entity, since, body: (await response.json()) as unknown }).toEqual({
          entity,
          since,
          body: expect.objectContaining({ sha256Hash: expect.any(String) }),
        });
      }
    }
  });

  it('resumes after being killed part-way: no row lost or repeated', async () => {
    const out = join(folder, 'customers-resumed.csv');
    const killed = await runCli(extractArgs('customers', out, '--page-size', '3'), { killAfterRows: 9 });
    expect(killed.signal).toBe('SIGKILL');
    const checkpoint = JSON.parse(readFileSync(checkpointPathOf(out), 'utf8')) as { rows: number; cursor: string };
    expect(checkpoint.rows).toBeGreaterThanOrEqual(9);
    expect(checkpoint.rows).toBeLessThan(CUSTOMERS);
    // As if it had been stopped after flushing a page's rows but before writing their checkpoint: those rows are
    // fetched again, so the resumed run must drop them from the file first.
    appendFileSync(out, csvLine(['written', 'after', 'the', 'checkpoint']));
    const resumed = await runCli(extractArgs('customers', out, '--page-size', '3'));
    expect(resumed).toMatchObject({ code: 0 });
    expect(resumed.stderr).toContain(`resumed after ${checkpoint.rows}`);
    const [header, ...rows] = parseCsv(readFileSync(out, 'utf8'));
    const expected = await pagedDirectly('customers', 'customers');
    expect(header).toEqual(expected.header);
    expect(rows).toEqual(expected.rows);
    expect(new Set(rows.map((row) => row[0])).size).toBe(CUSTOMERS);
    expect(existsSync(checkpointPathOf(out))).toBe(false);
  });

  it("fails with a clear message and exit code 1 on a bad argument, a bad token or another extract's checkpoint", async () => {
    const badEntity = await runCli(extractArgs('agents', join(folder, 'x.csv')));
    expect(badEntity.code).toBe(1);
    expect(badEntity.stderr).toContain('--entity must be one of customers, policies, claims, complaints, service-requests');
    const badDay = await runCli(extractArgs('customers', join(folder, 'x.csv'), '--since', '2026-02-30'));
    expect(badDay.code).toBe(1);
    expect(badDay.stderr).toContain('--since must be a day, YYYY-MM-DD');
    const out = join(folder, 'refused.csv');
    const badToken = await runCli(['--entity', 'customers', '--out', out, '--url', graph.graphqlUrl, '--token', 'not-a-token']);
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/bi:extract failed: The gateway refused the page \(HTTP 401\): .*UNAUTHENTICATED/);
    expect(badToken.stderr).not.toMatch(/\n\s+at /);
    // refused.csv kept its checkpoint (no page was written): another entity may not take it over.
    const other = await runCli(extractArgs('claims', out));
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('belongs to another extract (customers)');
  });
});
