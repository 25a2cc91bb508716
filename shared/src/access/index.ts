// Public API of field-level access control. PURPOSES and Purpose come from ../identity (one list for tokens and policy).
export {
  AccessPolicyError,
  CATEGORIES,
  DECISIONS,
  DEFAULT_ACCESS_POLICY_PATH,
  DEFAULT_MINIMUM_GROUP_SIZE,
  MASK_STYLES,
  OPERATIONS_RULES,
  RULED_TIERS,
  SCOPES,
  TIERS,
  loadAccessPolicy,
  openness,
  parseAccessPolicy,
} from './access-policy';
export type {
  AccessPolicy,
  AggregateGrant,
  AccessRule,
  ActionRule,
  Category,
  CategoryRule,
  Decision,
  FieldClassification,
  MaskStyle,
  OperationsRule,
  Role,
  RolePolicy,
  RuledTier,
  Scope,
  Tier,
} from './access-policy';
export { CLASSIFIED_DIRECTIVE, ClassificationError, classificationAmong, readClassifiedDirective } from './classified-directive';
export { UNCLASSIFIED, decide, deniedInEveryScope, isInScope, scopeFor, sealsIdentifiers } from './decide';
export type { AccessDecision, AggregateAccess, Caller } from './decide';
export { applyMask, maskValue } from './masks';
export { MIN_PSEUDONYM_SECRET_BYTES, PSEUDONYM_PREFIX, pseudonymise } from './pseudonym';
export { SEALED_IDENTIFIER_PREFIX, identifierSeal, sealIdentifier, unsealIdentifier } from './sealed-identifier';
export type { IdentifierSeal } from './sealed-identifier';
export { declaresIdentifier, undeclaredIdentifiers } from './identifier-rule';
