/**
 * `npm run new:subgraph -- --name <name> --entity <Type>`: writes a working subgraph into
 * subgraphs/<name>/ and brings every derived file up to date (workspace link and lock file, generated
 * resolver types, build, docker-compose.yml, Dockerfile, tsconfig.json, the supergraph), so it composes,
 * starts with `npm start` and passes `npm test` with no other file edited by hand.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SUPERGRAPH_PATH } from '@icg/shared';
import { Kind, parse } from 'graphql';
import { REPOSITORY_ROOT } from './subgraph-registry';
import { deriveNames, scaffoldSubgraph, ScaffoldInputError } from './subgraph-scaffold';
import { rootTsconfig } from './workspace-files';

const USAGE = `Usage: npm run new:subgraph -- --name <name> --entity <Type> [--port <port>]
  --name     the system's name: lower-case words joined by dashes (e.g. loyalty-cards)
  --entity   the entity it owns, PascalCase (e.g. LoyaltyCard); it extends Customer with a list of them
  --port     its default port (default: one above the highest port in use)`;

/** The gateway's default port, which no subgraph may take. */
const GATEWAY_PORT = 4000;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** Ports the existing subgraphs' manifests take, read from their source so nothing needs to be built yet. */
function portsInUse(root: string): number[] {
  const ports = [GATEWAY_PORT];
  for (const name of readdirSync(join(root, 'subgraphs'))) {
    const server = join(root, 'subgraphs', name, 'src', 'server.ts');
    if (!existsSync(server)) continue;
    const port = /defaultPort:\s*(\d+)/.exec(readFileSync(server, 'utf8'))?.[1];
    if (port) ports.push(Number(port));
  }
  return ports;
}

/** Type and field names the graph already uses: a new entity or Customer field must not collide with them. */
function namesInSupergraph(): { types: Set<string>; customerFields: Set<string>; queryFields: Set<string> } {
  const types = new Set<string>();
  const customerFields = new Set<string>();
  const queryFields = new Set<string>();
  for (const definition of parse(readFileSync(DEFAULT_SUPERGRAPH_PATH, 'utf8')).definitions) {
    if (!('name' in definition) || !definition.name) continue;
    types.add(definition.name.value);
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION && definition.name.value === 'Customer')
      for (const field of definition.fields ?? []) customerFields.add(field.name.value);
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION && definition.name.value === 'Query')
      for (const field of definition.fields ?? []) queryFields.add(field.name.value);
  }
  return { types, customerFields, queryFields };
}

/** Runs one step in the repository, output shown; a failed step stops the generator with its name. */
function step(description: string, command: string, args: readonly string[]): void {
  process.stderr.write(`\n▸ ${description}: ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { cwd: REPOSITORY_ROOT, stdio: 'inherit', env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1' } });
  if (result.status !== 0)
    fail(
      `${description} failed (exit ${result.status ?? result.signal}); fix the cause and run the remaining steps by hand: npm install, npm run codegen, npm run generate, npm run compose`,
    );
}

/**
 * What `npm install` does for a new workspace: node_modules/@icg/subgraph-<name> → subgraphs/<name>.
 * Done here so nothing else in node_modules is rewritten (it may be shared with another checkout).
 */
function linkWorkspacePackage(subgraph: string): void {
  const scope = join(REPOSITORY_ROOT, 'node_modules', '@icg');
  mkdirSync(scope, { recursive: true });
  const link = join(scope, `subgraph-${subgraph}`);
  if (!existsSync(link)) symlinkSync(join('..', '..', 'subgraphs', subgraph), link, 'dir');
}

function main(): void {
  let options;
  try {
    options = parseArgs({ options: { name: { type: 'string' }, entity: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean' } } }).values;
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`);
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!options.name || !options.entity) fail(USAGE);
  const inUse = portsInUse(REPOSITORY_ROOT);
  const port = options.port === undefined ? Math.max(...inUse) + 1 : Number(options.port);
  if (!Number.isInteger(port) || port < 1024 || port > 65_535) fail(`--port must be a whole number from 1024 to 65535, got "${options.port}"`);
  if (inUse.includes(port)) fail(`--port ${port} is taken by the gateway or another subgraph`);

  let files;
  let names;
  try {
    names = deriveNames({ subgraph: options.name, entity: options.entity, defaultPort: port });
    files = scaffoldSubgraph({ subgraph: options.name, entity: options.entity, defaultPort: port });
  } catch (error) {
    if (error instanceof ScaffoldInputError) fail(error.message);
    throw error;
  }
  const directory = join(REPOSITORY_ROOT, 'subgraphs', names.subgraph);
  if (existsSync(directory)) fail(`subgraphs/${names.subgraph} already exists`);
  const taken = namesInSupergraph();
  if (taken.types.has(names.entity) || taken.types.has(names.statusEnum))
    fail(`the graph already has a type named ${names.entity} or ${names.statusEnum}; choose another --entity`);
  if (taken.customerFields.has(names.entityPluralCamel)) fail(`Customer already has a field ${names.entityPluralCamel}; choose another --entity`);
  if (taken.queryFields.has(names.entityCamel)) fail(`Query already has a field ${names.entityCamel}; choose another --entity`);

  for (const file of files) {
    mkdirSync(dirname(join(directory, file.path)), { recursive: true });
    writeFileSync(join(directory, file.path), file.content);
  }
  process.stderr.write(
    `wrote subgraphs/${names.subgraph}/ (${files.length} files, default port ${port}, variables ${names.envPrefix}_PORT and ${names.envPrefix}_URL)\n`,
  );
  // The build needs the new project referenced before anything of it can be compiled.
  const directories = readdirSync(join(REPOSITORY_ROOT, 'subgraphs'))
    .filter((name) => existsSync(join(REPOSITORY_ROOT, 'subgraphs', name, 'package.json')))
    .map((name) => ({ directory: `subgraphs/${name}` }));
  writeFileSync(join(REPOSITORY_ROOT, 'tsconfig.json'), rootTsconfig(directories));

  step('record the workspace package in package-lock.json', 'npm', ['install', '--package-lock-only', '--no-audit', '--no-fund', '--prefer-offline']);
  linkWorkspacePackage(names.subgraph);
  step('generate its resolver types from schema.graphql', 'npm', ['run', '-s', 'codegen']);
  step('format it like the rest of the code', 'npx', ['prettier', '--write', '--log-level', 'warn', `subgraphs/${names.subgraph}`]);
  step('build', 'npx', ['tsc', '--build']);
  step('regenerate docker-compose.yml, the Dockerfile and tsconfig.json from the manifests', 'node', ['tools/dist/generate.js']);
  step('compose the supergraph with the new subgraph', 'node', ['tools/dist/compose.js']);

  process.stdout.write(`
The ${names.subgraph} subgraph is ready: subgraphs/${names.subgraph}/ (schema.graphql, src/).
  npm start                 starts it with the others (port ${port}); the gateway serves Customer.${names.entityPluralCamel}
                            and Query.${names.entityCamel}
  npm test                  includes its tests (src/__tests__/api.test.ts)
  npm run conformance -- --url http://127.0.0.1:${port}/graphql --name ${names.subgraph}
Next: shape schema.graphql for the real system (classify every field: docs/access-model.md), then
npm run codegen && npm run compose -- --check.
`);
}

main();
