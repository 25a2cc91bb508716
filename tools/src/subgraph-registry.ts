import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { isSubgraphManifest, type SubgraphManifest } from '@icg/shared';
import type { SubgraphSeeder } from '@icg/synthetic';

/** The repository root (this file is at tools/src or tools/dist). */
export const REPOSITORY_ROOT = join(__dirname, '..', '..');

export interface RegisteredSubgraph {
  manifest: SubgraphManifest;
  seeder: SubgraphSeeder;
  /** The npm workspace package, `@icg/subgraph-<name>`. */
  packageName: string;
  /** Relative to the repository root, e.g. `subgraphs/claims`. */
  directory: string;
}

export class SubgraphRegistryError extends Error {
  override name = 'SubgraphRegistryError';
}

function isSeeder(value: unknown): value is SubgraphSeeder {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<SubgraphSeeder>).seedBatch === 'function' &&
    Array.isArray((value as Partial<SubgraphSeeder>).tables)
  );
}

/**
 * A subgraph package's runtime entry exports exactly one manifest; its `./seed` entry (tools and tests
 * only, so running a subgraph never loads the synthetic-data generators) exports the seeder of the same name.
 */
function registeredFrom(
  directory: string,
  packageName: string,
  exports: Readonly<Record<string, unknown>>,
  seedExports: Readonly<Record<string, unknown>>,
): RegisteredSubgraph {
  const manifests = Object.values(exports).filter(isSubgraphManifest);
  if (manifests.length !== 1)
    throw new SubgraphRegistryError(`${packageName} must export exactly one manifest made by defineSubgraph (found ${manifests.length})`);
  const manifest = manifests[0]!;
  if (`subgraphs/${manifest.name}` !== directory)
    throw new SubgraphRegistryError(`${packageName}: the manifest is named "${manifest.name}" but lives in ${directory}`);
  const seeder = Object.values(seedExports).find((value): value is SubgraphSeeder => isSeeder(value) && value.name === manifest.name);
  if (!seeder) throw new SubgraphRegistryError(`${packageName}/seed must export a seeder named "${manifest.name}"`);
  return { manifest, seeder, packageName, directory };
}

/** Loaded by package name: tests map it to the TypeScript sources, node to the workspace's build. */
function load(specifier: string): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(specifier) as Record<string, unknown>;
}

/** The package's `./seed` entry; a package without one is named with what it lacks. */
function loadSeedEntry(packageName: string): Record<string, unknown> {
  const specifier = `${packageName}/seed`;
  try {
    return load(specifier);
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    // Node names the specifier it cannot find, or the subpath its package.json does not export.
    const missing =
      (code === 'MODULE_NOT_FOUND' && String(message).includes(`'${specifier}'`)) ||
      (code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' && String(message).includes("'./seed'"));
    if (missing) {
      throw new SubgraphRegistryError(`${packageName} must have a seed entry point, ${specifier} ("exports": { "./seed": … } in its package.json)`);
    }
    throw error;
  }
}

/**
 * Every subgraph of the graph, found as the packages under `subgraphs/` (the one list of them), in
 * start order: by default port. Ports and names must be unique.
 */
export function discoverSubgraphs(root: string = REPOSITORY_ROOT): RegisteredSubgraph[] {
  const subgraphsDirectory = join(root, 'subgraphs');
  const registered: RegisteredSubgraph[] = [];
  for (const entry of readdirSync(subgraphsDirectory, { withFileTypes: true })) {
    const packageJson = join(subgraphsDirectory, entry.name, 'package.json');
    if (!entry.isDirectory() || !existsSync(packageJson)) continue;
    const packageName = (JSON.parse(readFileSync(packageJson, 'utf8')) as { name?: unknown }).name;
    if (typeof packageName !== 'string') throw new SubgraphRegistryError(`${packageJson} has no name`);
    registered.push(registeredFrom(`subgraphs/${entry.name}`, packageName, load(packageName), loadSeedEntry(packageName)));
  }
  registered.sort((left, right) => left.manifest.defaultPort - right.manifest.defaultPort);
  for (let index = 1; index < registered.length; index++) {
    if (registered[index]!.manifest.defaultPort === registered[index - 1]!.manifest.defaultPort) {
      throw new SubgraphRegistryError(
        `subgraphs ${registered[index - 1]!.manifest.name} and ${registered[index]!.manifest.name} both default to port ${registered[index]!.manifest.defaultPort}`,
      );
    }
  }
  return registered;
}

/** The subgraphs of this repository, found when tools are first imported. */
export const SUBGRAPH_REGISTRY: readonly RegisteredSubgraph[] = discoverSubgraphs();
