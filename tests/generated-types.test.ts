import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCHEMA_ENUM_VOCABULARIES } from '@icg/shared';
import { Kind, parse, type EnumTypeDefinitionNode } from 'graphql';
import { CODEGEN_SUBGRAPHS, generatedTypesPath } from '../codegen';

const ROOT = join(__dirname, '..');

/** Each subgraph's enums as its schema file declares them: enum name → values in order. */
function schemaEnums(subgraph: string): Map<string, string[]> {
  const document = parse(readFileSync(join(ROOT, 'subgraphs', subgraph, 'schema.graphql'), 'utf8'));
  const enums = document.definitions.filter((definition): definition is EnumTypeDefinitionNode => definition.kind === Kind.ENUM_TYPE_DEFINITION);
  return new Map(enums.map((definition) => [definition.name.value, (definition.values ?? []).map((value) => value.name.value)]));
}

describe('types generated from the subgraph schemas', () => {
  it('are up to date: every committed subgraphs/*/src/generated/schema-types.ts is what `npm run codegen` writes', () => {
    // The CLI itself, as `npm run codegen` runs it, into a temp dir (the package's ESM dependencies do not load under Jest).
    const outputRoot = mkdtempSync(join(tmpdir(), 'icg-codegen-'));
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules', '.bin', 'graphql-codegen'), '--config', 'codegen.ts', '--silent'], {
        cwd: ROOT,
        env: { ...process.env, CODEGEN_OUTPUT_ROOT: outputRoot },
        stdio: 'pipe',
      });
      const stale = CODEGEN_SUBGRAPHS.map(generatedTypesPath).filter(
        (path) => readFileSync(join(outputRoot, path), 'utf8') !== readFileSync(join(ROOT, path), 'utf8'),
      );
      expect({ stale, fix: 'npm run codegen' }).toEqual({ stale: [], fix: 'npm run codegen' });
    } finally {
      rmSync(outputRoot, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the domain vocabulary', () => {
  const declarations = CODEGEN_SUBGRAPHS.flatMap((subgraph) =>
    [...schemaEnums(subgraph)].filter(([enumName]) => enumName in SCHEMA_ENUM_VOCABULARIES).map(([enumName, values]) => ({ subgraph, enumName, values })),
  );

  it.each(declarations)('$subgraph declares enum $enumName with the vocabulary values, in order', ({ enumName, values }) => {
    expect(values).toEqual([...SCHEMA_ENUM_VOCABULARIES[enumName]!]);
  });

  it('names only enums some subgraph schema declares', () => {
    const declared = new Set(declarations.map(({ enumName }) => enumName));
    expect(Object.keys(SCHEMA_ENUM_VOCABULARIES).filter((enumName) => !declared.has(enumName))).toEqual([]);
  });
});
