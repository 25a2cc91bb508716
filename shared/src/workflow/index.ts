// The write-side runtime every mutation uses (docs/access-model.md "Actions", README "Mutations").
export { ActionRefused, authorizeAction, forbiddenActionError } from './authorize-action';
export type { ActionDecision, ActionRefusalReason, ActionTarget } from './authorize-action';
export { defineStateMachine, invalidTransition } from './state-machine';
export type { StateMachine } from './state-machine';
export { conflictError, expectVersion, updateVersioned } from './optimistic-version';
export type { VersionedUpdate } from './optimistic-version';
export { IDEMPOTENCY_KEY_ARGUMENT, idempotencyKeyReused, isUniqueViolation, parseIdempotencyKey, requestHashOf } from './idempotency';
export type { JsonValue } from './idempotency';
export { IDEMPOTENCY_TABLE, MAX_IDEMPOTENCY_KEY_LENGTH, idempotencyKeysMigration } from './idempotency-migration';
export { auditUnavailable, isDeadlock, notFound, runMutation } from './run-mutation';
export type { MutationContext, MutationDefinition, MutationOutcome, RecordChange } from './run-mutation';
export { invalidInput, parseEmail, parseExpectedVersion, parseIsoDate, parseMobile, parseOneOf, parseResidentId, parseText, parseUscc } from './mutation-input';
export type { TextRule } from './mutation-input';
export { allocateId } from './record-ids';
export { valueAsCallerMaySee } from './visible-value';
