import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, type DocumentNode } from 'graphql';

/** Lives at the package root, beside both `src/` and `dist/`. */
const CLASSIFICATION_SDL_PATH = join(__dirname, '..', 'classification.graphql');

export function classificationSdl(): string {
  return readFileSync(CLASSIFICATION_SDL_PATH, 'utf8');
}

/**
 * A subgraph's type definitions: the shared classification header followed by the subgraph's own
 * schema file. Composition, the subgraph server and tests all read schemas through here.
 */
export function loadSubgraphSdl(schemaFilePath: string): string {
  return `${classificationSdl()}\n${readFileSync(schemaFilePath, 'utf8')}`;
}

export function loadSubgraphTypeDefs(schemaFilePath: string): DocumentNode {
  return parse(loadSubgraphSdl(schemaFilePath));
}
