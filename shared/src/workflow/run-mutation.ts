/**
 * The one entry point every mutation goes through (issue "CRM workflows as mutations", rules for every mutation):
 *
 *   validate the idempotency key → in ONE transaction: load the target → authorise the action (policy `actions`) →
 *   claim the idempotency key → perform the change → store the first result → reserve the change's audit records
 *   → commit.
 *
 * Nothing is half-written: any failure rolls the whole transaction back, the idempotency row with it. A retry with
 * the same key and input gets the first result and writes nothing; different input with the same key is refused. A
 * refused action is audited too (decision DENY) and answered with FORBIDDEN_ACTION. Other helpers' pieces that must
 * commit with the change (an outbox event: `recordEvent(trx, …)`) are written by `perform` on the transaction it gets.
 */
import { GraphQLError } from 'graphql';
import type { Knex } from 'knex';
import type { AccessPolicy } from '../access';
import { handOverChanges } from '../audit/audit-handoff';
import type { ChangeAuditSink } from '../audit/request-audit-trail';
import type { Clock } from '../clock';
import type { WorkflowAction } from '../domain/actions';
import type { EnforcementContext } from '../enforcement/enforce-classified-fields';
import { ActionRefused, authorizeAction, forbiddenActionError, type ActionDecision, type ActionTarget } from './authorize-action';
import {
  IdempotencyKeyTaken,
  IdempotencyKeyVanished,
  claimIdempotencyKey,
  completeIdempotencyKey,
  parseIdempotencyKey,
  replayIdempotencyKey,
  requestHashOf,
  type IdempotencyClaim,
  type JsonValue,
} from './idempotency';

/** What a mutation's resolver needs from the request context (a SubgraphContext has it all). */
export interface MutationContext extends EnforcementContext {
  db: Knex;
  clock: Clock;
  policy: AccessPolicy;
  changeAudit: ChangeAuditSink;
}

/** One record a mutation changed, for the audit trail: its key, versions, and each changed field before and after. */
export interface RecordChange {
  /** `Type:key`, e.g. `Customer:42` (pseudonymised in the audit store). */
  recordKey: string;
  /** Null for a record the mutation created. */
  beforeVersion: number | null;
  afterVersion: number | null;
  /** Raw values: the audit store keeps only their keyed hashes. */
  fields: Readonly<Record<string, { before: unknown; after: unknown }>>;
}

export interface MutationOutcome<TResult extends JsonValue> {
  /**
   * What the mutation answers and a retry with the same key gets back: references to records (ids, numbers), never
   * personal values, since it is stored as it is. The resolver reads the records from it, under the read rules.
   */
  result: TResult;
  /** Every record changed; each becomes one audit record. */
  changes: readonly RecordChange[];
}

export interface MutationDefinition<TTarget extends ActionTarget, TResult extends JsonValue> {
  action: WorkflowAction;
  /** The `idempotencyKey` argument as received; validated here. */
  idempotencyKey: unknown;
  /** The action's input as received (without the key): equal input is what makes a retry a retry. */
  input: unknown;
  /**
   * Reads the record the action is on (throw `notFound` when it does not exist), or describes the record a creation
   * will make: its scope decides the authorisation.
   */
  loadTarget(trx: Knex.Transaction, now: Date): Promise<TTarget>;
  /** Validates against the record's state (state machine, versions, duplicates) and writes, on `trx` only. */
  perform(trx: Knex.Transaction, target: TTarget, decision: ActionDecision, now: Date): Promise<MutationOutcome<TResult>>;
}

/** Deadlocks (MySQL picks a victim) are retried from the start: nothing of the attempt was committed. */
const MAX_ATTEMPTS = 3;

export async function runMutation<TTarget extends ActionTarget, TResult extends JsonValue>(
  context: MutationContext,
  definition: MutationDefinition<TTarget, TResult>,
): Promise<TResult> {
  const key = parseIdempotencyKey(definition.idempotencyKey);
  const now = context.clock.now();
  const claim: IdempotencyClaim = {
    staffId: context.caller.staffId,
    action: definition.action,
    key,
    requestHash: requestHashOf(definition.action, definition.input),
    at: now,
  };
  for (let attempt = 1; ; attempt++) {
    let target: TTarget | undefined;
    const auditIds: string[] = [];
    try {
      return await context.db.transaction(async (trx) => {
        target = await definition.loadTarget(trx, now);
        const decision = authorizeAction(context, definition.action, target);
        await claimIdempotencyKey(trx, claim);
        const outcome = await definition.perform(trx, target, decision, now);
        await completeIdempotencyKey(trx, claim, outcome.result);
        for (const change of outcome.changes) {
          const id = context.changeAudit.recordChange(context, auditedChange(context, definition.action, now, decision.rule, 'ALLOW', change));
          // No write without its record: a full audit queue refuses the write (and rolls it back).
          if (id === undefined) throw auditUnavailable();
          auditIds.push(id);
        }
        // Last on the transaction: the change records commit with the write, whatever happens to this process after.
        await handOverChanges(trx, context.changeAudit, context, auditIds);
        return outcome.result;
      });
    } catch (error) {
      for (const id of auditIds) context.changeAudit.withdrawChange(context, id);
      if (error instanceof ActionRefused) throw refusedAndAudited(context, error, now, target?.scope.recordKey);
      if (error instanceof IdempotencyKeyTaken) {
        try {
          return (await replayIdempotencyKey(context.db, claim)) as TResult;
        } catch (replayError) {
          if (replayError instanceof IdempotencyKeyVanished && attempt < MAX_ATTEMPTS) continue;
          throw replayError;
        }
      }
      if (isDeadlock(error) && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
  }
}

function auditedChange(context: MutationContext, action: WorkflowAction, at: Date, rule: string, decision: 'ALLOW' | 'DENY', change: RecordChange) {
  return {
    requestId: context.requestId,
    occurredAt: at,
    staffId: context.caller.staffId,
    role: context.caller.role,
    purpose: context.caller.purpose,
    operationName: context.operation?.name ?? null,
    operationHash: context.operation?.hash ?? UNKNOWN_OPERATION_HASH,
    action,
    recordKey: change.recordKey,
    decision,
    rule,
    policyVersion: context.policy.version,
    change: { beforeVersion: change.beforeVersion, afterVersion: change.afterVersion, fields: change.fields },
  };
}

const UNKNOWN_OPERATION_HASH = '0'.repeat(64);

/** A refusal is recorded (when the queue has room: the refusal stands either way) and answered FORBIDDEN_ACTION. */
function refusedAndAudited(context: MutationContext, refusal: ActionRefused, at: Date, recordKey: string | undefined): GraphQLError {
  const decisionId = context.changeAudit.recordChange(
    context,
    auditedChange(context, refusal.action, at, refusal.rule, 'DENY', {
      recordKey: recordKey ?? `${refusal.action}:unknown`,
      beforeVersion: null,
      afterVersion: null,
      fields: {},
    }),
  );
  return forbiddenActionError(refusal, decisionId);
}

export function auditUnavailable(): GraphQLError {
  return new GraphQLError('Changes cannot be recorded in the audit trail right now, so none are made; try again shortly', {
    extensions: { code: 'AUDIT_UNAVAILABLE' },
  });
}

/** NOT_FOUND for the record an action names; `argumentName` is the argument that named it. */
export function notFound(entity: string, argumentName: string): GraphQLError {
  return new GraphQLError(`No ${entity} with this ${argumentName}`, { extensions: { code: 'NOT_FOUND', entity, argumentName } });
}

/** InnoDB chose this transaction as a deadlock's victim and rolled it back: the whole transaction may be tried again. */
export function isDeadlock(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === 'ER_LOCK_DEADLOCK';
}
