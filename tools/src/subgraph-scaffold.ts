/**
 * The files of a new subgraph, written by `npm run new:subgraph`: a classified entity of a customer in
 * its own table, extending Customer with a list of them, with migration, loaders, records, resolvers
 * typed from its schema, a seeder and tests: the same shape as every other subgraph.
 */

export interface ScaffoldNames {
  /** Subgraph name, lower-case words joined by dashes: `loyalty-cards`. */
  subgraph: string;
  /** Entity type, PascalCase: `LoyaltyCard`. */
  entity: string;
  defaultPort: number;
}

export class ScaffoldInputError extends Error {
  override name = 'ScaffoldInputError';
}

const SUBGRAPH_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const ENTITY_NAME = /^[A-Z][a-z0-9]+([A-Z][a-z0-9]+)*$/;

/** Words of a PascalCase or dashed name: `LoyaltyCard` → [loyalty, card]. */
function words(name: string): string[] {
  return name
    .split(/-|(?=[A-Z])/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}
const pascal = (parts: readonly string[]) => parts.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
const camel = (parts: readonly string[]) => parts[0]! + pascal(parts.slice(1));
const snake = (parts: readonly string[]) => parts.join('_');
function plural(word: string): string {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}
const pluralWords = (parts: readonly string[]) => [...parts.slice(0, -1), plural(parts[parts.length - 1]!)];

/** Every name the templates use, derived once from the two the user gives. */
export interface DerivedNames {
  subgraph: string;
  defaultPort: number;
  /** `loyaltyCards` (for variables: `loyaltyCardsSubgraph`). */
  subgraphCamel: string;
  /** `LoyaltyCards` (for types: `LoyaltyCardsLoaders`). */
  subgraphPascal: string;
  /** `LOYALTY_CARDS`, the prefix of the subgraph's variables. */
  envPrefix: string;
  entity: string;
  entityCamel: string;
  /** The Customer field listing them: `loyaltyCards`. */
  entityPluralCamel: string;
  /** Words for prose: `loyalty card`, `loyalty cards`. */
  entityWords: string;
  entityPluralWords: string;
  table: string;
  /** The business key field and column: `cardNo`… `loyaltyCardNo` / `loyalty_card_no`. */
  keyField: string;
  keyColumn: string;
  /** Two or more capitals the business numbers start with: `LC`. */
  numberPrefix: string;
  statusEnum: string;
}

export function deriveNames({ subgraph, entity, defaultPort }: ScaffoldNames): DerivedNames {
  if (!SUBGRAPH_NAME.test(subgraph)) throw new ScaffoldInputError(`--name must be lower-case words joined by dashes (e.g. loyalty-cards), got "${subgraph}"`);
  if (!ENTITY_NAME.test(entity))
    throw new ScaffoldInputError(`--entity must be a PascalCase type name of letters and digits (e.g. LoyaltyCard), got "${entity}"`);
  const subgraphWords = words(subgraph);
  const entityWords = words(entity);
  const initials = entityWords.map((word) => word[0]!.toUpperCase()).join('');
  return {
    subgraph,
    defaultPort,
    subgraphCamel: camel(subgraphWords),
    subgraphPascal: pascal(subgraphWords),
    envPrefix: subgraphWords.join('_').toUpperCase(),
    entity,
    entityCamel: camel(entityWords),
    entityPluralCamel: camel(pluralWords(entityWords)),
    entityWords: entityWords.join(' '),
    entityPluralWords: pluralWords(entityWords).join(' '),
    table: snake(pluralWords(entityWords)),
    keyField: `${camel(entityWords)}No`,
    keyColumn: `${snake(entityWords)}_no`,
    numberPrefix: initials.length >= 2 ? initials : entity.slice(0, 2).toUpperCase(),
    statusEnum: `${entity}Status`,
  };
}

export interface ScaffoldFile {
  /** Relative to the subgraph's folder. */
  path: string;
  content: string;
}

/** Two entry points: the runtime one (the manifest) and `./seed` (the seeder, for tools and tests only). */
function packageJson(n: DerivedNames): string {
  const manifest = {
    name: `@icg/subgraph-${n.subgraph}`,
    version: '0.1.0',
    private: true,
    main: 'dist/index.js',
    types: 'dist/index.d.ts',
    exports: {
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './seed': { types: './dist/seed.d.ts', default: './dist/seed.js' },
      './package.json': './package.json',
    },
    dependencies: { '@icg/shared': '0.1.0' },
    devDependencies: { '@icg/synthetic': '0.1.0' },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const TSCONFIG = `{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist" },
  "include": ["src"],
  "exclude": ["src/**/__tests__/**"],
  "references": [{ "path": "../../shared" }, { "path": "../../tools/synthetic" }]
}
`;

function codegenJson(n: DerivedNames): string {
  return `${JSON.stringify({ loaders: `${n.subgraphPascal}Loaders`, mappers: { [n.entity]: `${n.entity}Record`, Customer: 'CustomerStub' } }, null, 2)}\n`;
}

function schema(n: DerivedNames): string {
  return `"""
A ${n.entityWords} of a customer, kept by the ${n.subgraph} system. Every field carries its
classification (docs/access-model.md): personal values are CONFIDENTIAL, so roles see them in clear,
masked or not at all as the access policy decides.
"""
type ${n.entity} @key(fields: "${n.keyField}") {
  "Identifiers are category IDENTITY: a role that pseudonymises identifiers gets and gives them sealed."
  id: ID! @classified(tier: INTERNAL, category: IDENTITY)
  "${n.numberPrefix} + 12 digits; the key other systems refer to it by."
  ${n.keyField}: String! @classified(tier: INTERNAL, category: IDENTITY)
  status: ${n.statusEnum}! @classified(tier: INTERNAL, category: GENERAL)
  "When it was opened, ISO 8601 UTC."
  openedAt: String! @classified(tier: INTERNAL, category: GENERAL)
  "Amount involved, yuan: a per-person amount."
  amount: Float @classified(tier: CONFIDENTIAL, category: FINANCIAL)
  "The person to contact about it."
  contactName: String @classified(tier: CONFIDENTIAL, category: IDENTITY, mask: NAME)
  customer: Customer @classified(tier: INTERNAL, category: GENERAL)
}

enum ${n.statusEnum} {
  OPEN
  ACTIVE
  CLOSED
}

type Customer @key(fields: "id") {
  id: ID! @classified(tier: INTERNAL, category: IDENTITY)
  "The customer's ${n.entityPluralWords}, most recently opened first."
  ${n.entityPluralCamel}: [${n.entity}!] @classified(tier: INTERNAL, category: GENERAL)
}

type Query {
  "A ${n.entityWords} by its number; null when there is none."
  ${n.entityCamel}(${n.keyField}: String! @classified(tier: INTERNAL, category: IDENTITY)): ${n.entity} @classified(tier: INTERNAL, category: GENERAL)
}
`;
}

function entitiesTs(n: DerivedNames): string {
  return `import type { EntityDefinition } from '@icg/shared';
import { ${n.entity.toUpperCase()}_NUMBER } from './resolvers';

/** The ${n.subgraph} system owns ${n.entity}; it extends Customer with their ${n.entityPluralWords}. */
export const entities = {
  // A ${n.entityWords} belongs to its customer's branch and the customer's primary manager.
  ${n.entity}: {
    key: '${n.keyField}',
    table: '${n.table}',
    keyColumn: '${n.keyColumn}',
    scope: { branchPath: 'branch_path', responsibleStaffIds: ['customer_manager_staff_id'] },
    keyFormat: ${n.entity.toUpperCase()}_NUMBER,
  },
  Customer: { key: 'id' },
} as const satisfies Record<string, EntityDefinition>;
`;
}

function migrationTs(n: DerivedNames): string {
  return `import type { Knex, Migration } from '@icg/shared';

/** Money is DECIMAL(15,2) yuan; ids are BIGINTs given by the seed; timestamps are UTC DATETIMEs. */
export const initial: Migration = {
  name: '001_initial',
  async up(db: Knex) {
    await db.schema.createTable('${n.table}', (table) => {
      table.bigInteger('id').primary();
      table.string('${n.keyColumn}', 20).notNullable().unique();
      table.bigInteger('customer_id').notNullable().index();
      table.string('status', 12).notNullable();
      table.dateTime('opened_at').notNullable();
      table.decimal('amount', 15, 2).nullable();
      table.string('contact_name', 60).nullable();
      // Row scope (docs/adding-a-subgraph.md, "Data").
      table.bigInteger('branch_id').notNullable();
      table.string('branch_path', 64).notNullable().index();
      table.bigInteger('customer_manager_staff_id').nullable().index();
    });
  },
  async down(db: Knex) {
    await db.schema.dropTableIfExists('${n.table}');
  },
};
`;
}

const MIGRATIONS_INDEX = `import type { Migration } from '@icg/shared';
import { initial } from './001_initial';

/** Applied in this order; a released migration is never edited, only followed by a new one. */
export const migrations: readonly Migration[] = [initial];
`;

function recordsTs(n: DerivedNames): string {
  return `import { attachScope, scopeOfRow, toId, toIsoTimestamp, toNumberOrNull, type Scoped } from '@icg/shared';
import { entities } from './entities';
import type { ${n.entity}, ${n.statusEnum} } from './generated/schema-types';

/** BIGINT comes back as a number or a string; DATETIME as a UTC string (or a Date); DECIMAL as a number or a string. */
export interface ${n.entity}Row {
  id: number | string;
  ${n.keyColumn}: string;
  customer_id: number | string;
  status: ${n.statusEnum};
  opened_at: string | Date;
  amount: number | string | null;
  contact_name: string | null;
  branch_id: number | string;
  branch_path: string;
  customer_manager_staff_id: number | string | null;
}

/** A customer as this system knows it: a stub by its key. It owns no customers, so the stub carries no row scope. */
export interface CustomerStub {
  id: string;
}

export type ${n.entity}Record = Scoped<Omit<${n.entity}, 'customer'> & { customer: CustomerStub }>;

export function ${n.entityCamel}Record(row: ${n.entity}Row): ${n.entity}Record {
  return attachScope(
    {
      id: toId(row.id),
      ${n.keyField}: row.${n.keyColumn},
      status: row.status,
      openedAt: toIsoTimestamp(row.opened_at)!,
      amount: toNumberOrNull(row.amount),
      contactName: row.contact_name,
      customer: { id: toId(row.customer_id) },
    },
    scopeOfRow('${n.entity}', entities.${n.entity}, row),
  );
}
`;
}

function loadersTs(n: DerivedNames): string {
  return `import { tableGroupLoader, tableRowLoader, type DataLoader, type Knex } from '@icg/shared';
import type { ${n.entity}Row } from './records';

type Key = string | number;

/** One set per request: every lookup is batched into one \`WHERE … IN (…)\` per table and tick. */
export interface ${n.subgraphPascal}Loaders {
  ${n.entityCamel}ByNumber: DataLoader<Key, ${n.entity}Row | null, string>;
  ${n.entityPluralCamel}ByCustomerId: DataLoader<Key, ${n.entity}Row[], string>;
}

const newestFirst = (query: Knex.QueryBuilder): Knex.QueryBuilder => query.orderBy([{ column: 'opened_at', order: 'desc' }, { column: 'id', order: 'desc' }]);

export function createLoaders(db: Knex): ${n.subgraphPascal}Loaders {
  return {
    ${n.entityCamel}ByNumber: tableRowLoader<${n.entity}Row>(db, '${n.table}', '${n.keyColumn}'),
    ${n.entityPluralCamel}ByCustomerId: tableGroupLoader<${n.entity}Row>(db, '${n.table}', 'customer_id', newestFirst),
  };
}
`;
}

function resolversTs(n: DerivedNames): string {
  return `import { parseBusinessNumber, parseEntityId, type BusinessNumberFormat } from '@icg/shared';
import type { Resolvers } from './generated/schema-types';
import { ${n.entityCamel}Record, type ${n.entity}Row } from './records';

export const ${n.entity.toUpperCase()}_NUMBER: BusinessNumberFormat = {
  pattern: /^${n.numberPrefix}\\d{12}$/,
  description: '${n.entityWords} number (${n.numberPrefix} + 12 digits)',
  example: '${n.numberPrefix}000000000101',
};

const recordOrNull = (row: ${n.entity}Row | null) => (row ? ${n.entityCamel}Record(row) : null);

// Checked against the types generated from schema.graphql (parents are the records records.ts builds).
export const resolvers = {
  Query: {
    async ${n.entityCamel}(_root, args, { loaders }) {
      return recordOrNull(await loaders.${n.entityCamel}ByNumber.load(parseBusinessNumber(args.${n.keyField}, '${n.keyField}', ${n.entity.toUpperCase()}_NUMBER)));
    },
  },

  ${n.entity}: {
    async __resolveReference(reference, { loaders }) {
      return recordOrNull(await loaders.${n.entityCamel}ByNumber.load(parseBusinessNumber(reference.${n.keyField}, '${n.keyField}', ${n.entity.toUpperCase()}_NUMBER)));
    },
  },

  // Every customer resolves (with none here, an empty list): null would drop this subgraph's fields of it.
  Customer: {
    __resolveReference(reference) {
      return { id: parseEntityId(reference.id, 'id') };
    },
    async ${n.entityPluralCamel}(customer, _args, { loaders }) {
      return (await loaders.${n.entityPluralCamel}ByCustomerId.load(customer.id)).map(${n.entityCamel}Record);
    },
  },
} satisfies Resolvers;
`;
}

function seedTs(n: DerivedNames): string {
  return `import { insertInChunks, sqlTimestamp, type Knex } from '@icg/shared';
import { chineseName, scrambledDigits, SeededRandom, type SeedBatch, type SubgraphSeeder } from '@icg/synthetic';
import type { ${n.entity}Row } from './records';

const DAY = 24 * 60 * 60 * 1000;

/**
 * Up to two ${n.entityPluralWords} per customer of the batch, each from its own generator, so the same
 * seed gives the same rows whatever the batch size; scope columns come from the customer's facts.
 */
export function ${n.entityCamel}Rows(batch: SeedBatch): ${n.entity}Row[] {
  return batch.customers.flatMap((customer) => {
    const random = SeededRandom.for(batch.seed, '${n.entityCamel}', customer.id);
    return Array.from({ length: random.int(0, 2) }, (_unused, index): ${n.entity}Row => {
      const id = customer.id * 10 + index + 1;
      return {
        id,
        // A keyed permutation of the id: the number does not spell out the customer's id (ids nest under it).
        ${n.keyColumn}: \`${n.numberPrefix}\${scrambledDigits(batch.seed, '${n.entityCamel}-no', id, 12)}\`,
        customer_id: customer.id,
        status: random.pick(['OPEN', 'ACTIVE', 'CLOSED'] as const),
        opened_at: sqlTimestamp(new Date(batch.asOf.getTime() - random.int(1, 1_000) * DAY)),
        amount: random.chance(0.8) ? random.amount(100, 50_000) : null,
        contact_name: chineseName([batch.seed, '${n.entityCamel}-contact', id], random.chance(0.5) ? 'MALE' : 'FEMALE'),
        branch_id: customer.branchId,
        branch_path: customer.branchPath,
        customer_manager_staff_id: customer.primaryManagerStaffId,
      };
    });
  });
}

export const ${n.subgraphCamel}Seeder: SubgraphSeeder = {
  name: '${n.subgraph}',
  tables: ['${n.table}'],
  async seedBatch(db: Knex, batch: SeedBatch) {
    await insertInChunks(db, '${n.table}', ${n.entityCamel}Rows(batch));
  },
};
`;
}

function serverTs(n: DerivedNames): string {
  return `import { join } from 'node:path';
import { defineSubgraph, loadSubgraphTypeDefs } from '@icg/shared';
import { entities } from './entities';
import { createLoaders } from './loaders';
import { migrations } from './migrations';
import { resolvers } from './resolvers';

/** The ${n.subgraph} system as a subgraph; owns ${n.entity} and adds \`${n.entityPluralCamel}\` to Customer. */
export const ${n.subgraphCamel}Subgraph = defineSubgraph({
  name: '${n.subgraph}',
  defaultPort: ${n.defaultPort},
  schema: loadSubgraphTypeDefs(join(__dirname, '..', 'schema.graphql')),
  resolvers,
  migrations,
  createLoaders,
  entities,
});
`;
}

function mainTs(n: DerivedNames): string {
  return `import { runSubgraphProcess } from '@icg/shared';
import { ${n.subgraphCamel}Subgraph } from './server';

runSubgraphProcess('${n.subgraph}', ${n.subgraphCamel}Subgraph);
`;
}

/** The runtime entry: the manifest only (the seeder is the package's `./seed` entry, so running the subgraph never loads faker). */
function indexTs(n: DerivedNames): string {
  return `export { ${n.subgraphCamel}Subgraph } from './server';
`;
}

function apiTestTs(n: DerivedNames): string {
  return `import { maskValue } from '@icg/shared';
import { ${n.entityCamel}Rows, ${n.subgraphCamel}Seeder } from '../seed';
import { startSeededSubgraph, type SeededSubgraph } from '../../../../tests/support/seeded-subgraph';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import { ${n.subgraphCamel}Subgraph } from '../index';

const CUSTOMERS = 20;
const FIELDS = '${n.keyField} status openedAt amount contactName customer { id }';

describe.each(TEST_DIALECTS)('the ${n.subgraph} subgraph on %s', (dialect) => {
  let subgraph: SeededSubgraph;
  beforeAll(async () => {
    subgraph = await startSeededSubgraph({ manifest: ${n.subgraphCamel}Subgraph, seeder: ${n.subgraphCamel}Seeder, dialect, customers: CUSTOMERS });
  });
  afterAll(async () => subgraph?.close());

  const seeded = () => ${n.entityCamel}Rows(subgraph.facts);

  it('answers a ${n.entityWords} by its number, as the seeder wrote it', async () => {
    const row = seeded()[0]!;
    const response = await subgraph.query('query ($no: String!) { ${n.entityCamel}(${n.keyField}: $no) { ' + FIELDS + ' } }', { no: row.${n.keyColumn} });
    expect(response.errors).toBeUndefined();
    expect(response.data?.['${n.entityCamel}']).toEqual({
      ${n.keyField}: row.${n.keyColumn},
      status: row.status,
      openedAt: \`\${String(row.opened_at).replace(' ', 'T')}Z\`,
      amount: row.amount,
      contactName: row.contact_name,
      customer: { id: String(row.customer_id) },
    });
  });

  it('lists every customer\\'s ${n.entityPluralWords} through _entities, newest first, in one batch', async () => {
    const representations = subgraph.facts.customers.map((customer) => ({ __typename: 'Customer', id: String(customer.id) }));
    const response = await subgraph.query('query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { id ${n.entityPluralCamel} { ${n.keyField} openedAt } } } }', { representations });
    expect(response.errors).toBeUndefined();
    const listed = (response.data?.['_entities'] as { ${n.entityPluralCamel}: { ${n.keyField}: string; openedAt: string }[] }[]).flatMap((customer) => customer.${n.entityPluralCamel});
    expect(listed.map((item) => item.${n.keyField}).sort()).toEqual(seeded().map((row) => row.${n.keyColumn}).sort());
  });

  it('masks the contact and denies the amount to a hotline agent', async () => {
    const row = seeded().find((candidate) => candidate.amount !== null && candidate.contact_name !== null)!;
    const response = await subgraph.query('query ($no: String!) { ${n.entityCamel}(${n.keyField}: $no) { contactName amount } }', { no: row.${n.keyColumn} }, { role: 'HOTLINE_AGENT' });
    expect(response.data?.['${n.entityCamel}']).toEqual({ contactName: maskValue('NAME', row.contact_name!), amount: null });
    expect(response.errors?.map((error) => [error.extensions?.['code'], error.path?.join('.')])).toEqual([['FORBIDDEN_FIELD', '${n.entityCamel}.amount']]);
  });

  it('answers an unknown number with null and a malformed one with BAD_USER_INPUT naming the argument', async () => {
    const unknown = await subgraph.query('{ ${n.entityCamel}(${n.keyField}: "${n.numberPrefix}999999999999") { ${n.keyField} } }');
    expect(unknown.data?.['${n.entityCamel}']).toBeNull();
    const malformed = await subgraph.query('{ ${n.entityCamel}(${n.keyField}: "nope") { ${n.keyField} } }');
    expect(malformed.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(malformed.errors?.[0]?.message).toContain('${n.keyField}');
  });
});
`;
}

/** Every file of the new subgraph, relative to its folder. */
export function scaffoldSubgraph(names: ScaffoldNames): ScaffoldFile[] {
  const n = deriveNames(names);
  return [
    { path: 'package.json', content: packageJson(n) },
    { path: 'tsconfig.json', content: TSCONFIG },
    { path: 'codegen.json', content: codegenJson(n) },
    { path: 'schema.graphql', content: schema(n) },
    { path: 'src/index.ts', content: indexTs(n) },
    { path: 'src/server.ts', content: serverTs(n) },
    { path: 'src/main.ts', content: mainTs(n) },
    { path: 'src/entities.ts', content: entitiesTs(n) },
    { path: 'src/records.ts', content: recordsTs(n) },
    { path: 'src/loaders.ts', content: loadersTs(n) },
    { path: 'src/resolvers.ts', content: resolversTs(n) },
    { path: 'src/seed.ts', content: seedTs(n) },
    { path: 'src/migrations/index.ts', content: MIGRATIONS_INDEX },
    { path: 'src/migrations/001_initial.ts', content: migrationTs(n) },
    { path: 'src/__tests__/api.test.ts', content: apiTestTs(n) },
  ];
}
