/**
 * Tables every subgraph's own store holds for the write side (issue "CRM workflows as mutations"):
 * they live beside the subgraph's records so a change, its idempotency record and its outbox event
 * commit in one transaction. `defineSubgraph` appends them to each subgraph's own migrations.
 * Names start with `write_side_` so they never collide with a subgraph's own migration names.
 */
import type { Migration } from './migrations';
import { idempotencyKeysMigration } from './workflow/idempotency-migration';
import { EVENT_MIGRATIONS } from './events/event-migrations';
import { auditHandoffMigration } from './audit/audit-handoff';

export const WRITE_SIDE_MIGRATIONS: readonly Migration[] = [
  // One row per (staff member, action, idempotency key) with the first result (shared/src/workflow).
  idempotencyKeysMigration,
  // Outbox, deliveries and inbox of the events between subgraphs (shared/src/events).
  ...EVENT_MIGRATIONS,
  // Change records committed with their writes until the audit store holds them (shared/src/audit/audit-handoff.ts).
  auditHandoffMigration,
];
