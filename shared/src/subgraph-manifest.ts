/**
 * The one extension point of the graph: each subgraph package exports the manifest `defineSubgraph`
 * returns, and everything that lists the subgraphs (configuration, `npm start`, composition, the
 * gateway, the audit trail, the access matrix, docker-compose.yml) derives from the manifests.
 */
import type { buildSubgraphSchema } from '@apollo/subgraph';
import { Kind, type DocumentNode, type ObjectTypeDefinitionNode, type ObjectTypeExtensionNode } from 'graphql';
import type { Knex } from 'knex';
import type { Clock } from './clock';
import type { AccessPolicy } from './access';
import type { SystemChangeSink } from './audit/system-changes';
import type { EnforcementContext } from './enforcement';
import type { EventHandlers } from './events/event-receiver';
import type { EventRecorder } from './events/event-outbox';
import type { Migration } from './migrations';
import type { ScheduledJob } from './scheduled-jobs';
import { WRITE_SIDE_MIGRATIONS } from './write-side-migrations';
import { rowScope, type RowScope } from './row-scope';
import type { BusinessNumberFormat } from './ids';

/** What every request's resolvers get: the caller, the subgraph's store and a fresh loader set. */
export interface SubgraphContext<TLoaders> extends EnforcementContext {
  db: Knex;
  loaders: TLoaders;
  /** The one clock deadlines and SLA timers read; tests set it. */
  clock: Clock;
  /** The loaded access policy (its `actions` section decides writes). */
  policy: AccessPolicy;
  /** This subgraph's outbox: `recordEvent(trx, context, …)` records an event in the transaction of the change (docs/events.md). */
  events: EventRecorder;
  /**
   * The request's audit trail as writes record their changes in it (shared/src/workflow, runMutation; a write the
   * subgraph makes as itself, inAuditedSystemTransaction).
   */
  changeAudit: SystemChangeSink;
}

/** The resolver map `buildSubgraphSchema` takes, named without importing from the package's `dist/`. */
type SchemaModule = Extract<Extract<Parameters<typeof buildSubgraphSchema>[0], readonly unknown[]>[number], { typeDefs: DocumentNode }>;
export type SubgraphResolverMap = NonNullable<SchemaModule['resolvers']>;

/**
 * Who a stored row belongs to (docs/access-model.md section 3), named by its columns: the owning branch's
 * materialised path and the staff responsible for it (primary manager, handler, assignee).
 */
export interface RowScopeColumns {
  branchPath: string;
  responsibleStaffIds: readonly string[];
}

/** An entity this subgraph owns: the table it is stored in and how a row's scope is read. */
export interface OwnedEntity {
  /** The `@key` field, e.g. `reportNo`. */
  key: string;
  table: string;
  /** The column holding the key field's value, e.g. `report_no`. */
  keyColumn: string;
  scope: RowScopeColumns;
  /** The key's format where it is a business number outside BUSINESS_NUMBERS (ids and those are known). */
  keyFormat?: BusinessNumberFormat;
}

/**
 * An entity another subgraph owns, which this one extends or only refers to. Its stubs here carry no
 * row scope: fields a subgraph adds to an entity it does not own are decided as out of scope.
 */
export interface ReferencedEntity {
  key: string;
}

export type EntityDefinition = OwnedEntity | ReferencedEntity;

export function isOwnedEntity(entity: EntityDefinition): entity is OwnedEntity {
  return 'table' in entity;
}

export interface SubgraphDefinition<TLoaders> {
  /** Lower-case words joined by dashes; names the package, the database, the variables and the audit chain. */
  name: string;
  /** Port of `npm start`; `<NAME>_PORT` overrides it. Unique across subgraphs. */
  defaultPort: number;
  schema: DocumentNode;
  resolvers: SubgraphResolverMap;
  createLoaders(db: Knex): TLoaders;
  migrations: readonly Migration[];
  /** Every type of the schema with a `@key`, and nothing else. */
  entities: Readonly<Record<string, EntityDefinition>>;
  /**
   * How this subgraph applies the events delivered to it (shared/src/events/event-types.ts names who
   * consumes what): each runs in the receiver's transaction, once per event, in order per record.
   */
  eventHandlers?: EventHandlers;
  /** Jobs its process runs on a timer, reading the injectable clock (shared/src/scheduled-jobs.ts). */
  scheduledJobs?: readonly ScheduledJob[];
}

const MANIFEST_BRAND: unique symbol = Symbol.for('icg.subgraphManifest');

export interface SubgraphManifest<TLoaders = unknown> extends SubgraphDefinition<TLoaders> {
  readonly [MANIFEST_BRAND]: true;
}

export class SubgraphDefinitionError extends Error {
  override name = 'SubgraphDefinitionError';
}

const SUBGRAPH_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

function keyFieldsOf(node: ObjectTypeDefinitionNode | ObjectTypeExtensionNode): string[] {
  return (node.directives ?? [])
    .filter((directive) => directive.name.value === 'key')
    .map((directive) => directive.arguments?.find((argument) => argument.name.value === 'fields')?.value)
    .map((value) => (value?.kind === Kind.STRING ? value.value.trim() : ''));
}

/** `@key` fields of every object type in the schema: type name → the key field sets declared. */
function declaredKeys(schema: DocumentNode): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const definition of schema.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const fields = keyFieldsOf(definition);
    if (fields.length) keys.set(definition.name.value, [...(keys.get(definition.name.value) ?? []), ...fields]);
  }
  return keys;
}

/**
 * Checks a subgraph's definition against its own schema, so a manifest that disagrees with its SDL
 * (a forgotten entity, a key that is not the `@key`) stops the process at start with the reason.
 */
export function defineSubgraph<TLoaders>(definition: SubgraphDefinition<TLoaders>): SubgraphManifest<TLoaders> {
  const problem = (reason: string) => new SubgraphDefinitionError(`subgraph ${definition.name}: ${reason}`);
  if (!SUBGRAPH_NAME.test(definition.name)) throw problem('the name must be lower-case words joined by dashes');
  if (!Number.isInteger(definition.defaultPort) || definition.defaultPort < 1 || definition.defaultPort > 65_535)
    throw problem('defaultPort must be a port number');
  const keys = declaredKeys(definition.schema);
  for (const [typeName, entity] of Object.entries(definition.entities)) {
    const declared = keys.get(typeName);
    if (!declared) throw problem(`entity ${typeName} has no @key in schema.graphql`);
    if (!declared.includes(entity.key)) throw problem(`entity ${typeName} is keyed by "${declared.join('" / "')}" in schema.graphql, not "${entity.key}"`);
  }
  const undeclared = [...keys.keys()].filter((typeName) => !(typeName in definition.entities));
  if (undeclared.length) throw problem(`types with a @key missing from entities: ${undeclared.join(', ')}`);
  // Idempotency, outbox and inbox tables commit with the subgraph's own records, so they live in its store.
  return Object.freeze({ ...definition, migrations: [...definition.migrations, ...WRITE_SIDE_MIGRATIONS], [MANIFEST_BRAND]: true as const });
}

export function isSubgraphManifest(value: unknown): value is SubgraphManifest {
  return typeof value === 'object' && value !== null && (value as Partial<SubgraphManifest>)[MANIFEST_BRAND] === true;
}

const asStaffId = (value: unknown): string | null => (typeof value === 'number' || typeof value === 'string' ? String(value) : null);

/** A stored row's scope, read from the columns the manifest names, with the row's record key. */
export function scopeOfRow(typeName: string, entity: OwnedEntity, row: object): RowScope {
  const columns = row as Readonly<Record<string, unknown>>;
  const branchPath = columns[entity.scope.branchPath];
  const staffIds = new Set(entity.scope.responsibleStaffIds.map((column) => asStaffId(columns[column])));
  return { ...rowScope(typeof branchPath === 'string' ? branchPath : '', ...staffIds), recordKey: `${typeName}:${String(columns[entity.keyColumn])}` };
}

/** `service-requests` → `SERVICE_REQUESTS`, the prefix of that subgraph's variables. */
export function envPrefix(subgraph: string): string {
  return subgraph.toUpperCase().replace(/-/g, '_');
}

export function subgraphPortVariable(subgraph: string): string {
  return `${envPrefix(subgraph)}_PORT`;
}

export function subgraphUrlVariable(subgraph: string): string {
  return `${envPrefix(subgraph)}_URL`;
}
