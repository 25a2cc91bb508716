/**
 * The integration kit end to end, as an integration team would use it: in a fresh copy of the
 * workspace, `npm run new:subgraph` writes a subgraph; with no other file edited by hand it composes,
 * passes its own tests and the staleness checks, starts with `npm start`, answers through the gateway
 * under two roles as the policy says, and passes the conformance suite.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maskValue, mintDevelopmentToken, subgraphPortVariable } from '@icg/shared';
import { developmentTokenSecret } from '@icg/tools';
import { freePort } from '@icg/tools';
import { postGraphQL } from './support/graphql-client';
import { staffIdentity, type ActingAs } from './support/test-security';

const ROOT = join(__dirname, '..');
const NAME = 'loyalty-cards';
const ENTITY = 'LoyaltyCard';

/** Files a generator may rewrite outside the new folder: all of them derived, none by hand. */
const DERIVED_FILES = ['Dockerfile', 'docker-compose.yml', 'gateway/supergraph.graphql', 'package-lock.json', 'tsconfig.json'];

function run(cwd: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env: { ...env, APOLLO_TELEMETRY_DISABLED: '1' }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function expectSuccess(result: SpawnSyncReturns<string>): void {
  if (result.status !== 0) throw new Error(`exit ${result.status}:\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
}

/**
 * The working tree (tracked and new files, as `git` sees them) plus its build output, so the copy's
 * incremental build and type check are quick; node_modules hard-linked (the generator only adds a link to it).
 */
function copyWorkspace(): string {
  const copy = mkdtempSync(join(tmpdir(), 'icg-new-subgraph-'));
  const listed = run(ROOT, 'git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z']);
  expectSuccess(listed);
  for (const file of listed.stdout.split('\0').filter((path) => path && existsSync(join(ROOT, path)))) cpSync(join(ROOT, file), join(copy, file));
  const packages = ['shared', 'gateway', 'tools', ...readdirSync(join(ROOT, 'subgraphs')).map((name) => `subgraphs/${name}`), 'tools/synthetic'];
  for (const directory of packages) {
    for (const built of ['dist', 'tsconfig.tsbuildinfo']) {
      if (existsSync(join(ROOT, directory, built))) cpSync(join(ROOT, directory, built), join(copy, directory, built), { recursive: true });
    }
  }
  // The tests' type check is incremental (tsconfig.tests.json): the copy checks what the generator adds.
  if (existsSync(join(ROOT, 'tests.tsbuildinfo'))) cpSync(join(ROOT, 'tests.tsbuildinfo'), join(copy, 'tests.tsbuildinfo'));
  expectSuccess(run(ROOT, 'cp', ['-al', join(ROOT, 'node_modules'), join(copy, 'node_modules')]));
  return copy;
}

/** Files that differ between the workspace and the copy, outside the new subgraph's folder. */
function changedOutsideNewFolder(copy: string): string[] {
  const listed = run(copy, 'git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    ...process.env,
    GIT_DIR: join(ROOT, '.git'),
    GIT_WORK_TREE: copy,
  });
  expectSuccess(listed);
  return listed.stdout
    .split('\0')
    .filter((path) => path && !path.startsWith(`subgraphs/${NAME}/`))
    .filter((path) => !existsSync(join(ROOT, path)) || readFileSync(join(ROOT, path), 'utf8') !== readFileSync(join(copy, path), 'utf8'))
    .sort();
}

function startGraph(copy: string, env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; exited: Promise<unknown> } {
  let output = '';
  const child = spawn(process.execPath, [join(copy, 'tools', 'dist', 'start.js')], { cwd: copy, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return { child, output: () => output, exited: new Promise((resolve) => child.once('exit', resolve)) };
}

async function waitForOutput(read: () => string, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!read().includes(text)) {
    if (Date.now() > deadline) throw new Error(`"${text}" did not appear; output so far:\n${read().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Card {
  loyaltyCardNo: string;
  contactName: string | null;
  amount: number | null;
}

describe('npm run new:subgraph in a fresh copy of the workspace', () => {
  let copy: string;
  beforeAll(() => {
    copy = copyWorkspace();
  });
  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it('writes a subgraph that composes, passes its tests, serves two roles as the policy says and passes conformance', async () => {
    const generated = run(copy, 'npm', ['run', '-s', 'new:subgraph', '--', '--name', NAME, '--entity', ENTITY]);
    expectSuccess(generated);
    expect(generated.stdout).toContain(`The ${NAME} subgraph is ready`);
    // Everything else it touched is derived: the lock file, the build list, docker, the supergraph.
    expect(changedOutsideNewFolder(copy)).toEqual(DERIVED_FILES);
    expect(readFileSync(join(copy, 'gateway', 'supergraph.graphql'), 'utf8')).toContain(`${NAME.toUpperCase().replace('-', '_')} @join__graph(name: "${NAME}"`);
    // Running the generator again refuses to overwrite it.
    const again = run(copy, 'node', ['tools/dist/new-subgraph.js', '--name', NAME, '--entity', ENTITY]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`subgraphs/${NAME} already exists`);

    // Its own tests, the type check of every test, lint, and the checks that derived files are current.
    expectSuccess(run(copy, 'npx', ['tsc', '-p', 'tsconfig.tests.json']));
    expectSuccess(run(copy, 'npx', ['eslint', `subgraphs/${NAME}`]));
    expectSuccess(run(copy, 'npx', ['prettier', '--check', `subgraphs/${NAME}`]));
    expectSuccess(
      run(copy, 'npx', [
        'jest',
        `subgraphs/${NAME}`,
        'tests/docker-compose.test.ts',
        'tests/generated-types.test.ts',
        'tools/src/__tests__/supergraph-composition.test.ts',
      ]),
    );

    // npm start: the whole graph, the new subgraph included, on SQLite.
    const dataDir = mkdtempSync(join(tmpdir(), 'icg-new-subgraph-data-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      APOLLO_TELEMETRY_DISABLED: '1',
      DATA_DIR: dataDir,
      SEED_CUSTOMERS: '20',
      LOG_LEVEL: 'warn',
      PORT: String(await freePort()),
    };
    delete env['MYSQL_URL'];
    for (const name of readdirSync(join(copy, 'subgraphs'))) env[subgraphPortVariable(name)] = String(await freePort());
    const graph = startGraph(copy, env);
    try {
      await waitForOutput(graph.output, 'The insurer customer graph is up', 120_000);
      const secret = developmentTokenSecret({ DATA_DIR: dataDir })!;
      const ask = async (acting: ActingAs) => {
        const authorization = `Bearer ${await mintDevelopmentToken({ secret, identity: staffIdentity(acting) })}`;
        return postGraphQL<{ customers: { nodes: { id: string; loyaltyCards: Card[] }[] } }>(
          `http://127.0.0.1:${env['PORT']}/graphql`,
          '{ customers(first: 20) { nodes { id loyaltyCards { loyaltyCardNo contactName amount } } } }',
          {},
          { authorization },
        );
      };
      const auditor = await ask({ role: 'AUDITOR', purpose: 'AUDIT' });
      expect(auditor.errors).toBeUndefined();
      const clear = auditor.data!.customers.nodes.flatMap((customer) => customer.loyaltyCards);
      const sample = clear.find((card) => card.contactName !== null && card.amount !== null)!;
      expect(sample).toBeDefined();

      // An executive sees CONFIDENTIAL values masked: the name by its mask, the amount (no mask) denied.
      const executive = await ask({ role: 'EXECUTIVE' });
      const masked = executive.data!.customers.nodes.flatMap((customer) => customer.loyaltyCards).find((card) => card.loyaltyCardNo === sample.loyaltyCardNo)!;
      expect(masked).toEqual({ loyaltyCardNo: sample.loyaltyCardNo, contactName: maskValue('NAME', sample.contactName), amount: null });
      const denied = (executive.errors ?? [])
        .filter((error) => error.extensions?.['code'] === 'FORBIDDEN_FIELD')
        .map((error) => error.extensions?.['coordinate']);
      expect(new Set(denied)).toEqual(new Set([`${ENTITY}.amount`]));

      // The executable contract, against the running subgraph with the key npm start generated.
      const subgraphUrl = `http://127.0.0.1:${env[subgraphPortVariable(NAME)]}/graphql`;
      const conformance = run(copy, 'node', ['tools/dist/conformance.js', '--url', subgraphUrl, '--name', NAME], env);
      expectSuccess(conformance);
    } finally {
      graph.child.kill('SIGTERM');
      await graph.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
