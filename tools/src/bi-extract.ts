/**
 * `npm run bi:extract -- --entity <customers|policies|claims|complaints|service-requests> [--since YYYY-MM-DD]
 * --out <file.csv> [--url <gateway graphql url>] [--token <bearer>]`: the reference BI extract client (README "For BI
 * users"). It calls the entity's root connection as a persisted operation (registering it the first time: its hash
 * is the sha256 of the document below), pages through it with keyset cursors, writes RFC 4180 CSV (a header row,
 * nested objects flattened by path: `customer.id`), and shows progress on stderr.
 *
 * Resuming: after each page the rows are appended and flushed to disk, then a checkpoint beside the output
 * (`<out>.checkpoint.json`) records the cursor, the row count and the file's length. A run that finds a checkpoint
 * cuts the file back to that length (dropping rows written after it, if the run was stopped in between) and goes on
 * from its cursor: no row is lost or written twice. The checkpoint is removed when the extract completes.
 *
 * Only node's own modules and graphql: a BI workstation runs it without the rest of the project.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Kind, parse, type SelectionSetNode } from 'graphql';

export const BI_ENTITIES = ['customers', 'policies', 'claims', 'complaints', 'service-requests'] as const;
export type BiEntity = (typeof BI_ENTITIES)[number];

export const DEFAULT_PAGE_SIZE = 200;
export const DEFAULT_GRAPHQL_URL = 'http://127.0.0.1:4000/graphql';

interface EntityExtract {
  /** The root connection field. */
  root: string;
  operationName: string;
  /** The fields of one row: business facts a BI analyst may read (keys come back pseudonymised for the role). */
  node: string;
}

/** One document per entity: a change here is a new hash, registered on the next run. */
const EXTRACTS: Readonly<Record<BiEntity, EntityExtract>> = {
  customers: {
    root: 'customers',
    operationName: 'BiExtractCustomers',
    node: 'id customerNo kind idType customerSince tenureYears blacklisted largeCustomer doNotSolicit marketingConsent branch { id }',
  },
  policies: {
    root: 'policies',
    operationName: 'BiExtractPolicies',
    node: 'id policyNo productCode lineOfBusiness status channel effectiveDate expiryDate boundAt terminatedAt terminationReason paymentStatus arrearsDays version customer { id } issuingBranch { id }',
  },
  claims: {
    root: 'claims',
    operationName: 'BiExtractClaims',
    node: 'id reportNo status reportChannel smallClaim lossDate reportedAt registeredAt closedAt closedOutcome version customer { id } policy { policyNo } branch { id }',
  },
  complaints: {
    root: 'complaints',
    operationName: 'BiExtractComplaints',
    node: 'id complaintNo source category lineOfBusiness complexity status escalationLevel acceptedAt registeredAt archivedAt dueDate deadlineDays outcome rootCause archived customer { id } respondentBranch { id }',
  },
  'service-requests': {
    root: 'serviceRequests',
    operationName: 'BiExtractServiceRequests',
    node: 'id ticketNo channel type status priority openedAt resolvedAt closedAt slaDueAt slaBreached slaPausedMinutes version customer { id } branch { id }',
  },
};

/**
 * The persisted document of an extract: with `$since` (filter `updatedSince`) or without a filter. `totalCount` only
 * when `$withTotal` (default true): the extract asks it of its first page only, since each is a COUNT over the whole
 * table (about a third of a second per page at 3 million policies, more than the page itself).
 */
export function extractDocument(entity: BiEntity, withSince: boolean): string {
  const { root, operationName, node } = EXTRACTS[entity];
  const variables = `$first: Int!, $after: String${withSince ? ', $since: String!' : ''}, $withTotal: Boolean = true`;
  const filter = withSince ? ', filter: { updatedSince: $since }' : '';
  return `query ${operationName}(${variables}) { ${root}(first: $first, after: $after${filter}) { totalCount @include(if: $withTotal) pageInfo { hasNextPage endCursor } edges { node { ${node} } } } }`;
}

/** The CSV columns: every leaf field under `node`, by its path, in document order. */
export function columnsOf(document: string): string[] {
  const columns: string[] = [];
  const walk = (selectionSet: SelectionSetNode, prefix: string) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) continue;
      const name = (selection.alias ?? selection.name).value;
      if (selection.selectionSet) walk(selection.selectionSet, `${prefix}${name}.`);
      else columns.push(`${prefix}${name}`);
    }
  };
  const find = (selectionSet: SelectionSetNode | undefined): boolean => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind !== Kind.FIELD) continue;
      if (selection.name.value === 'node' && selection.selectionSet) {
        walk(selection.selectionSet, '');
        return true;
      }
      if (find(selection.selectionSet)) return true;
    }
    return false;
  };
  for (const definition of parse(document).definitions) if (definition.kind === Kind.OPERATION_DEFINITION && find(definition.selectionSet)) break;
  return columns;
}

/** RFC 4180: quoted when it holds a quote, comma, CR or LF; quotes doubled. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

function valueAt(node: unknown, path: string): unknown {
  let value: unknown = node;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return null;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A failure the user can act on: printed as it is, exit code 1. */
export class ExtractError extends Error {
  override name = 'ExtractError';
}

interface Checkpoint {
  version: 1;
  entity: BiEntity;
  since: string | null;
  sha256Hash: string;
  /** The cursor after the last row written; null before the first page. */
  cursor: string | null;
  rows: number;
  /** The output file's length once those rows were flushed. */
  bytes: number;
}

export interface ExtractOptions {
  entity: BiEntity;
  since?: string;
  out: string;
  /** The gateway's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  token: string;
  pageSize?: number;
  /** Progress, one call per page (the CLI writes it to stderr). */
  onProgress?: (rows: number, totalCount: number) => void;
}

export interface ExtractResult {
  rows: number;
  totalCount: number;
  sha256Hash: string;
  resumedFrom: number;
}

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

interface Page {
  /** Asked of the first page only. */
  totalCount?: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: unknown }[];
}

const RETRIES_AFTER_RATE_LIMIT = 20;

export function checkpointPathOf(out: string): string {
  return `${out}.checkpoint.json`;
}

function readCheckpoint(path: string): Checkpoint | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
  } catch {
    throw new ExtractError(`The checkpoint ${path} is unreadable; delete it to start the extract again`);
  }
}

/** Written beside the output and renamed into place, then synced: a crash leaves the old checkpoint or the new one. */
function writeCheckpoint(path: string, checkpoint: Checkpoint): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, JSON.stringify(checkpoint));
  const descriptor = openSync(temporary, 'r+');
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  renameSync(temporary, path);
}

class GatewayClient {
  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  private async send(request: () => Promise<Response>): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await request();
      } catch (error) {
        throw new ExtractError(`Cannot reach the gateway at ${this.url} (${(error as Error).message})`);
      }
      // BI tools have a small rate limit (RATE_LIMITS): wait as told and go on.
      if (response.status !== 429 || attempt >= RETRIES_AFTER_RATE_LIMIT) return response;
      const seconds = Number(response.headers.get('retry-after') ?? '1');
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, Number.isFinite(seconds) ? seconds : 1) * 1_000));
    }
  }

  private async answerOf(response: Response): Promise<GraphQLAnswer> {
    const text = await response.text();
    try {
      return JSON.parse(text) as GraphQLAnswer;
    } catch {
      throw new ExtractError(`The gateway answered HTTP ${response.status} without a GraphQL body`);
    }
  }

  /** A persisted query by hash, over GET (`apollo-require-preflight`: CSRF prevention lets a non-browser client through). */
  async byHash(sha256Hash: string, variables: Record<string, unknown>): Promise<{ status: number; answer: GraphQLAnswer }> {
    const url = new URL(this.url);
    url.searchParams.set('variables', JSON.stringify(variables));
    url.searchParams.set('extensions', JSON.stringify({ persistedQuery: { version: 1, sha256Hash } }));
    const response = await this.send(() =>
      fetch(url, { headers: { authorization: `Bearer ${this.token}`, accept: 'application/json', 'apollo-require-preflight': 'true' } }),
    );
    return { status: response.status, answer: await this.answerOf(response) };
  }

  async register(document: string): Promise<void> {
    const response = await this.send(() =>
      fetch(new URL('/operations', this.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: document }),
      }),
    );
    if (response.status === 200 || response.status === 201) return;
    const answer = await this.answerOf(response);
    const error = answer.errors?.[0];
    if (error?.extensions?.code === 'FORBIDDEN_ACTION') {
      throw new ExtractError(
        `${error.message}. Ask a role that may register operations (access policy actions.operation.register) to register this document:\n${document}`,
      );
    }
    throw new ExtractError(`Registering the extract's operation failed (HTTP ${response.status}): ${error?.message ?? 'no reason given'}`);
  }
}

function describeErrors(answer: GraphQLAnswer): string {
  return (answer.errors ?? []).map((error) => `${error.message}${error.extensions?.code ? ` (${error.extensions.code})` : ''}`).join('; ');
}

export async function runExtract(options: ExtractOptions): Promise<ExtractResult> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const document = extractDocument(options.entity, options.since !== undefined);
  const sha256Hash = createHash('sha256').update(document).digest('hex');
  const columns = columnsOf(document);
  const checkpointPath = checkpointPathOf(options.out);
  const root = EXTRACTS[options.entity].root;
  const client = new GatewayClient(options.url, options.token);

  let checkpoint = readCheckpoint(checkpointPath);
  if (checkpoint && (checkpoint.entity !== options.entity || checkpoint.since !== (options.since ?? null) || checkpoint.sha256Hash !== sha256Hash)) {
    throw new ExtractError(
      `${checkpointPath} belongs to another extract (${checkpoint.entity}${checkpoint.since ? ` since ${checkpoint.since}` : ''}); finish that one, or delete the checkpoint to start again`,
    );
  }
  if (checkpoint && (!existsSync(options.out) || fstatSizeOf(options.out) < checkpoint.bytes)) {
    throw new ExtractError(`${options.out} is shorter than its checkpoint says; delete ${checkpointPath} to start again`);
  }
  const resumedFrom = checkpoint?.rows ?? 0;
  const descriptor = openSync(options.out, checkpoint ? 'r+' : 'w');
  try {
    if (checkpoint) {
      // Rows written after the last checkpoint (a run stopped between the two) are dropped, and fetched again.
      ftruncateSync(descriptor, checkpoint.bytes);
    } else {
      const header = csvLine(columns);
      writeSync(descriptor, header);
      fsyncSync(descriptor);
      checkpoint = { version: 1, entity: options.entity, since: options.since ?? null, sha256Hash, cursor: null, rows: 0, bytes: Buffer.byteLength(header) };
      writeCheckpoint(checkpointPath, checkpoint);
    }
    let position = checkpoint.bytes;
    let totalCount: number | null = null;
    let registered = false;
    for (;;) {
      const variables: Record<string, unknown> = {
        first: pageSize,
        after: checkpoint.cursor,
        ...(options.since !== undefined ? { since: options.since } : {}),
        withTotal: totalCount === null,
      };
      const { status, answer } = await client.byHash(sha256Hash, variables);
      if (answer.errors?.some((error) => error.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND')) {
        if (registered) throw new ExtractError('The gateway does not find the operation it has just registered');
        await client.register(document);
        registered = true;
        continue;
      }
      const page = answer.data?.[root] as Page | undefined;
      if (answer.errors?.length || !page) {
        throw new ExtractError(`The gateway refused the page (HTTP ${status}): ${describeErrors(answer) || 'no data'}`);
      }
      // Rows added while the extract runs are read too; the first page's count is the figure progress is shown against.
      if (totalCount === null) totalCount = page.totalCount ?? 0;
      const text = page.edges.map(({ node }) => csvLine(columns.map((column) => valueAt(node, column)))).join('');
      if (text.length > 0) {
        position += writeSync(descriptor, text, position);
        fsyncSync(descriptor);
      }
      checkpoint = { ...checkpoint, cursor: page.pageInfo.endCursor ?? checkpoint.cursor, rows: checkpoint.rows + page.edges.length, bytes: position };
      writeCheckpoint(checkpointPath, checkpoint);
      options.onProgress?.(checkpoint.rows, totalCount);
      if (!page.pageInfo.hasNextPage) break;
      if (page.edges.length === 0 || !page.pageInfo.endCursor) throw new ExtractError('The gateway reported a next page without a cursor to reach it');
    }
    closeSync(descriptor);
    rmSync(checkpointPath, { force: true });
    return { rows: checkpoint.rows, totalCount: totalCount ?? 0, sha256Hash, resumedFrom };
  } catch (error) {
    try {
      closeSync(descriptor);
    } catch {
      // Already closed.
    }
    throw error;
  }
}

function fstatSizeOf(path: string): number {
  const descriptor = openSync(path, 'r');
  try {
    return fstatSync(descriptor).size;
  } finally {
    closeSync(descriptor);
  }
}

const USAGE = `Usage: npm run bi:extract -- --entity <${BI_ENTITIES.join('|')}> [--since YYYY-MM-DD] --out <file.csv>
                          [--url <gateway GraphQL URL>] [--token <bearer token>] [--page-size <n>]
  Pages through the entity's connection as a persisted operation (registered on first use) and writes CSV.
  --since      only records changed on or after that day (filter updatedSince)
  --url        default ${DEFAULT_GRAPHQL_URL} (or ICG_GRAPHQL_URL)
  --token      a BI analyst's bearer token (or ICG_TOKEN), e.g. $(npm run -s token -- --role BI_ANALYST)
  --page-size  rows per page, 1 to 200 (default ${DEFAULT_PAGE_SIZE})
  Stopped part-way, the same command resumes from <file.csv>.checkpoint.json.`;

function isValidDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.valueOf()) && date.toISOString().startsWith(text);
}

export function parseExtractArguments(argv: readonly string[], env: NodeJS.ProcessEnv): ExtractOptions {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        entity: { type: 'string' },
        since: { type: 'string' },
        out: { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
        'page-size': { type: 'string' },
      },
    }).values;
  } catch (error) {
    throw new ExtractError((error as Error).message);
  }
  const entity = values.entity;
  if (!entity || !(BI_ENTITIES as readonly string[]).includes(entity)) throw new ExtractError(`--entity must be one of ${BI_ENTITIES.join(', ')}`);
  if (values.since !== undefined && !isValidDay(values.since)) throw new ExtractError(`--since must be a day, YYYY-MM-DD (got "${values.since}")`);
  // The customers connection has no updatedSince filter (the four business lists have): refused here, not by the gateway.
  if (values.since !== undefined && entity === 'customers') throw new ExtractError('--since is not available for customers: extract them whole');
  if (!values.out) throw new ExtractError('--out must name the CSV file to write');
  const url = values.url ?? env['ICG_GRAPHQL_URL'] ?? DEFAULT_GRAPHQL_URL;
  if (!URL.canParse(url) || !['http:', 'https:'].includes(new URL(url).protocol)) throw new ExtractError(`--url must be an http(s) URL (got "${url}")`);
  const token = values.token ?? env['ICG_TOKEN'];
  if (!token) throw new ExtractError('--token (or ICG_TOKEN) must give a bearer token');
  const pageSize = values['page-size'] === undefined ? DEFAULT_PAGE_SIZE : Number(values['page-size']);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > DEFAULT_PAGE_SIZE) throw new ExtractError(`--page-size must be 1 to ${DEFAULT_PAGE_SIZE}`);
  return { entity: entity as BiEntity, ...(values.since !== undefined ? { since: values.since } : {}), out: values.out, url, token, pageSize };
}

async function main(): Promise<void> {
  let options: ExtractOptions;
  try {
    options = parseExtractArguments(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(1);
  }
  const interactive = process.stderr.isTTY === true;
  const result = await runExtract({
    ...options,
    onProgress: (rows, total) => process.stderr.write(`${interactive ? '\r' : ''}${options.entity}: ${rows} / ${total} rows${interactive ? '' : '\n'}`),
  });
  const resumed = result.resumedFrom > 0 ? ` (resumed after ${result.resumedFrom})` : '';
  process.stderr.write(`${interactive ? '\n' : ''}${options.entity}: ${result.rows} rows written to ${options.out}${resumed}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bi:extract failed: ${error instanceof ExtractError ? error.message : 'unexpected error'}\n`);
    if (!(error instanceof ExtractError)) process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
