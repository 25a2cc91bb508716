/**
 * The synthetic-data generators (and faker with them) are tools-only: the gateway and every subgraph's
 * runtime entry load without them, and no runtime package lists faker. Run against the build
 * (`npm test` runs `tsc --build` first), in a fresh node process so jest's own module registry
 * and source mapping play no part.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const FAKER = '@faker-js/faker';

/** Every workspace under subgraphs/, found as its package.json (the same list the registry reads). */
const SUBGRAPH_DIRECTORIES = readdirSync(join(ROOT, 'subgraphs'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, 'subgraphs', entry.name, 'package.json')))
  .map((entry) => `subgraphs/${entry.name}`);

const RUNTIME_ENTRIES = ['gateway/dist/index.js', ...SUBGRAPH_DIRECTORIES.map((directory) => `${directory}/dist/index.js`)];

/** Requires the files in a new node process and returns every module file it loaded. */
function modulesLoadedBy(files: readonly string[]): string[] {
  const script = `for (const file of ${JSON.stringify(files)}) require(require('node:path').resolve(file));
process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1' } });
  if (result.status !== 0) throw new Error(`node could not load ${files.join(', ')} (exit ${result.status ?? result.signal}):\n${result.stderr}`);
  return JSON.parse(result.stdout) as string[];
}

const isFaker = (path: string) => path.split(/[\\/]/).includes('@faker-js');
const isSynthetic = (path: string) => path.includes(join(ROOT, 'tools', 'synthetic'));

describe('runtime packages', () => {
  it('are built (npm test runs tsc --build first)', () => {
    expect(SUBGRAPH_DIRECTORIES.length).toBeGreaterThan(0);
    expect(RUNTIME_ENTRIES.filter((entry) => !existsSync(join(ROOT, entry)))).toEqual([]);
  });

  it.each(RUNTIME_ENTRIES)('%s loads neither faker nor the synthetic-data package', (entry) => {
    const loaded = modulesLoadedBy([entry]);
    expect(loaded.length).toBeGreaterThan(1);
    expect(loaded.filter(isFaker)).toEqual([]);
    expect(loaded.filter(isSynthetic)).toEqual([]);
  });

  it('the gateway and every subgraph loaded together load no faker', () => {
    expect(modulesLoadedBy(RUNTIME_ENTRIES).filter(isFaker)).toEqual([]);
  });

  it("a subgraph's seed entry does load faker (so the check above can see it)", () => {
    const seedEntries = SUBGRAPH_DIRECTORIES.map((directory) => `${directory}/dist/seed.js`);
    expect(modulesLoadedBy(seedEntries).filter(isFaker).length).toBeGreaterThan(0);
  });

  it.each(['shared', 'gateway', ...SUBGRAPH_DIRECTORIES])('%s/package.json does not depend on faker or the synthetic-data package', (directory) => {
    const { dependencies = {} } = JSON.parse(readFileSync(join(ROOT, directory, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(Object.keys(dependencies)).not.toContain(FAKER);
    expect(Object.keys(dependencies)).not.toContain('@icg/synthetic');
  });
});
