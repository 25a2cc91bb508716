import { readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_SUPERGRAPH_PATH } from '@icg/gateway';
import { loadAccessPolicy } from '@icg/shared';
import { composeRegisteredSubgraphs } from './compose-subgraphs';
import { loadSchemaChangeAcknowledgements, SchemaChangeAcknowledgementsError } from './schema-change-acknowledgements';
import { checkSchemaChanges, formatSchemaChangeReport } from './schema-change-check';
import { CompositionFailedError } from './supergraph-composition';

/**
 * `npm run compose [-- --check]`: composes the supergraph and reports what it changes against the committed
 * gateway/supergraph.graphql (schema changes and classification changes). Without `--check` it writes the
 * file; with it, it fails on an unacknowledged breaking change or classification weakening.
 */
async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  let sdl: string;
  try {
    sdl = composeRegisteredSubgraphs();
  } catch (error) {
    process.stderr.write(`${error instanceof CompositionFailedError ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const passed = await reportChanges(sdl, check);
  if (check) {
    if (!passed) fail('schema-change check failed: see docs/adding-a-subgraph.md, "Checking a schema change"');
    return;
  }
  // Writing is never blocked by the report: the developer sees what they changed, `--check` gates it.
  writeFileSync(DEFAULT_SUPERGRAPH_PATH, sdl);
  process.stdout.write(`wrote ${DEFAULT_SUPERGRAPH_PATH}\n`);
}

/** Prints what the composed supergraph changes against the committed one; false when the check fails. */
async function reportChanges(sdl: string, check: boolean): Promise<boolean> {
  const committed = readCommitted();
  if (committed === undefined) {
    process.stderr.write(`${DEFAULT_SUPERGRAPH_PATH} is missing: nothing to compare with\n`);
    return false;
  }
  try {
    const report = await checkSchemaChanges(committed, sdl, loadSchemaChangeAcknowledgements(), { policy: loadAccessPolicy() });
    process.stdout.write(formatSchemaChangeReport(report));
    // `npm test` still insists the committed file is current; the check itself only judges the change.
    if (check && report.passed && !report.unchanged) process.stdout.write(`note: ${DEFAULT_SUPERGRAPH_PATH} is not updated yet: run npm run compose\n`);
    return report.passed;
  } catch (error) {
    // A bad acknowledgements file or an unreadable committed supergraph fails the check, never the write.
    process.stderr.write(
      `${error instanceof SchemaChangeAcknowledgementsError ? error.message : `cannot compare with ${DEFAULT_SUPERGRAPH_PATH}: ${String(error)}`}\n`,
    );
    return false;
  }
}

function readCommitted(): string | undefined {
  try {
    return readFileSync(DEFAULT_SUPERGRAPH_PATH, 'utf8');
  } catch {
    return undefined;
  }
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
