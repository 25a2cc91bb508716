import { readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_SUPERGRAPH_PATH } from '@icg/gateway';
import { composeRegisteredSubgraphs } from './compose-subgraphs';
import { CompositionFailedError } from './supergraph-composition';

/** `npm run compose [-- --check]`: writes gateway/supergraph.graphql, or checks that it is current. */
function main(): void {
  const check = process.argv.includes('--check');
  let sdl: string;
  try {
    sdl = composeRegisteredSubgraphs();
  } catch (error) {
    process.stderr.write(`${error instanceof CompositionFailedError ? error.message : String(error)}\n`);
    process.exit(1);
  }
  if (check) {
    let committed = '';
    try {
      committed = readFileSync(DEFAULT_SUPERGRAPH_PATH, 'utf8');
    } catch {
      /* missing counts as stale */
    }
    if (committed !== sdl) {
      process.stderr.write(`${DEFAULT_SUPERGRAPH_PATH} is out of date: run npm run compose\n`);
      process.exit(1);
    }
    process.stdout.write('supergraph is current\n');
    return;
  }
  writeFileSync(DEFAULT_SUPERGRAPH_PATH, sdl);
  process.stdout.write(`wrote ${DEFAULT_SUPERGRAPH_PATH}\n`);
}

main();
