/**
 * The event tables in every subgraph's own store (appended through WRITE_SIDE_MIGRATIONS), so an event
 * commits or rolls back with the change it reports, and a received event with the receiver's writes.
 */
import type { Knex } from 'knex';
import type { Migration } from '../migrations';

export const OUTBOX_TABLE = 'write_side_event_outbox';
export const DELIVERY_TABLE = 'write_side_event_deliveries';
export const INBOX_TABLE = 'write_side_event_inbox';

/** Delivery states of one event to one consumer. */
export const DELIVERY_STATES = ['PENDING', 'DELIVERED', 'REJECTED'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export const EVENT_MIGRATIONS: readonly Migration[] = [
  {
    name: 'write_side_001_event_outbox_inbox',
    async up(db: Knex) {
      // The producer's side: one row per event, in commit order of each record (the sequence).
      await db.schema.createTable(OUTBOX_TABLE, (table) => {
        table.increments('sequence').primary();
        table.string('event_id', 36).notNullable().unique();
        table.string('type', 100).notNullable();
        table.string('aggregate', 200).notNullable();
        table.string('occurred_at', 24).notNullable();
        table.text('payload').notNullable();
        // System time of recording (ms since the epoch): delivery delay and backlog age, whatever the domain clock says.
        table.bigInteger('recorded_at_ms').notNullable();
      });
      // One row per event and consumer: each consumer's deliveries go out in sequence order, a failing one holding back the rest.
      await db.schema.createTable(DELIVERY_TABLE, (table) => {
        table.integer('sequence').unsigned().notNullable().references('sequence').inTable(OUTBOX_TABLE);
        table.string('consumer', 60).notNullable();
        table.string('state', 12).notNullable();
        table.integer('attempts').notNullable().defaultTo(0);
        table.bigInteger('next_attempt_at_ms').notNullable();
        table.bigInteger('settled_at_ms').nullable();
        // A short code (HTTP status, error kind), never a message: those can quote the payload.
        table.string('last_error', 60).nullable();
        table.primary(['sequence', 'consumer']);
        table.index(['consumer', 'state', 'sequence']);
      });
      // The receiver's side: one row per applied event, written in the transaction of the handler's writes.
      await db.schema.createTable(INBOX_TABLE, (table) => {
        table.string('event_id', 36).primary();
        table.string('type', 100).notNullable();
        table.string('producer', 60).notNullable();
        table.string('aggregate', 200).notNullable();
        table.bigInteger('sequence').notNullable();
        table.string('occurred_at', 24).notNullable();
        table.bigInteger('applied_at_ms').notNullable();
        table.index(['producer', 'aggregate', 'sequence']);
      });
    },
    async down(db: Knex) {
      await db.schema.dropTableIfExists(INBOX_TABLE);
      await db.schema.dropTableIfExists(DELIVERY_TABLE);
      await db.schema.dropTableIfExists(OUTBOX_TABLE);
    },
  },
];
