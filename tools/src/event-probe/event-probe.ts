/**
 * Two tiny subgraphs that exchange one event type of their own, for the event-delivery tests and
 * `npm run bench:events` while the real workflows are built: `probe-sender` records numbered notes, each
 * with a `probe.note-recorded` event in the same transaction, audited as the sender's own change (the audit
 * hand-over's crash test); `probe-receiver` stores each note it receives. Their catalog is theirs alone: no
 * production subgraph knows the probe type.
 */
import { parse } from 'graphql';
import type { Knex } from 'knex';
import {
  classificationSdl,
  defineSubgraph,
  inAuditedSystemTransaction,
  payloadChecks,
  type EventCatalog,
  type EventDraft,
  type EventHandler,
  type EventHandlers,
  type EventOf,
  type EventRecorder,
  type Migration,
  type SubgraphContext,
  type SubgraphManifest,
} from '@icg/shared';

export const PROBE_SENDER = 'probe-sender';
export const PROBE_RECEIVER = 'probe-receiver';
export const PROBE_EVENT = 'probe.note-recorded';
/** The action a recorded note is audited under (as the sender's own change). */
export const PROBE_NOTE_ACTION = 'probe:record-note';
/** The audited record key of one note. */
export const probeNoteKey = (key: string, note: number): string => `ProbeNote:${key}:${note}`;

export const PROBE_EVENT_TYPES = {
  [PROBE_EVENT]: {
    producer: PROBE_SENDER,
    consumers: [PROBE_RECEIVER],
    description: 'A numbered note was recorded under a key (tests and benchmarks only).',
    payload: payloadChecks.record({
      key: payloadChecks.text(/^[a-z0-9-]{1,40}$/, 'a key of lower-case letters, digits and dashes'),
      note: payloadChecks.integer(0, 1_000_000_000),
    }),
  },
} satisfies EventCatalog;
type ProbeCatalog = typeof PROBE_EVENT_TYPES;
export type ProbeEvent = EventOf<ProbeCatalog, typeof PROBE_EVENT>;

const SENDER_SDL = `
type Query {
  "Notes recorded under this key, in order."
  probeNotes(key: String!): [Int!]! @classified(tier: INTERNAL, category: GENERAL)
}
type Mutation {
  "Records notes first … first + count − 1 under key, one transaction each, each with its event."
  recordProbeNotes(key: String!, first: Int!, count: Int!): Int! @classified(tier: INTERNAL, category: GENERAL)
}
`;

const RECEIVER_SDL = `
type Query {
  "Notes received under this key, in the order they were applied."
  probeReceived(key: String!): [Int!]! @classified(tier: INTERNAL, category: GENERAL)
}
`;

const noteTable = (table: string): Migration => ({
  name: `001_${table}`,
  async up(db: Knex) {
    await db.schema.createTable(table, (columns) => {
      columns.increments('id').primary();
      columns.string('note_key', 40).notNullable().index();
      columns.integer('note').notNullable();
      columns.string('event_id', 36).nullable();
      // When it was recorded or applied: the benchmark's commit-to-commit delay.
      columns.bigInteger('committed_at_ms').nullable();
    });
  },
  async down(db: Knex) {
    await db.schema.dropTableIfExists(table);
  },
});

const notesUnder = async (db: Knex, table: string, key: unknown): Promise<number[]> =>
  (
    await db(table)
      .where({ note_key: String(key) })
      .orderBy('id')
      .select('note')
  ).map((row: { note: number }) => Number(row.note));

export interface ProbeSenderOptions {
  /** Child-process tests only: the process kills itself (SIGKILL) right after each commit, before its relay can deliver. */
  crashAfterCommit?: boolean;
}

type ProbeContext = SubgraphContext<Record<string, never>>;

export function probeSenderSubgraph(options: ProbeSenderOptions = {}): SubgraphManifest<Record<string, never>> {
  return defineSubgraph<Record<string, never>>({
    name: PROBE_SENDER,
    defaultPort: 4901,
    schema: parse(`${classificationSdl()}\n${SENDER_SDL}`),
    createLoaders: () => ({}),
    migrations: [noteTable('probe_notes')],
    entities: {},
    resolvers: {
      Query: { probeNotes: (_root: unknown, { key }: { key: string }, context: ProbeContext) => notesUnder(context.db, 'probe_notes', key) },
      Mutation: {
        async recordProbeNotes(_root: unknown, { key, first, count }: { key: string; first: number; count: number }, context: ProbeContext) {
          // The probe's own catalog, not the production one the context's type names.
          const recorder = context.events as unknown as EventRecorder<ProbeCatalog>;
          for (let note = first; note < first + count; note++) {
            const work = {
              subgraph: PROBE_SENDER,
              action: PROBE_NOTE_ACTION,
              requestId: context.requestId,
              policyVersion: context.policy.version,
              at: new Date(),
            };
            await inAuditedSystemTransaction(context.db, context.changeAudit, work, async (trx, changes) => {
              await trx('probe_notes').insert({ note_key: key, note, committed_at_ms: Date.now() });
              const draft: EventDraft<ProbeCatalog> = { type: PROBE_EVENT, aggregate: `ProbeNote:${key}`, payload: { key, note } };
              await recorder.record(trx, draft);
              changes.record({ recordKey: probeNoteKey(key, note), beforeVersion: null, afterVersion: 1, fields: { note: { before: null, after: note } } });
            });
            if (options.crashAfterCommit) process.kill(process.pid, 'SIGKILL');
          }
          return count;
        },
      },
    },
  });
}

const receiveNote: EventHandler<ProbeEvent> = async (trx, event) => {
  await trx('probe_received').insert({ note_key: event.payload.key, note: event.payload.note, event_id: event.id, committed_at_ms: Date.now() });
};

export function probeReceiverSubgraph(): SubgraphManifest<Record<string, never>> {
  const handlers: EventHandlers<ProbeCatalog> = { [PROBE_EVENT]: receiveNote };
  return defineSubgraph<Record<string, never>>({
    name: PROBE_RECEIVER,
    defaultPort: 4902,
    schema: parse(`${classificationSdl()}\n${RECEIVER_SDL}`),
    createLoaders: () => ({}),
    migrations: [noteTable('probe_received')],
    entities: {},
    resolvers: {
      Query: { probeReceived: (_root: unknown, { key }: { key: string }, context: ProbeContext) => notesUnder(context.db, 'probe_received', key) },
    },
    // The manifest's type names the production catalog; the probe's handlers are for its own.
    eventHandlers: handlers as unknown as EventHandlers,
  });
}
