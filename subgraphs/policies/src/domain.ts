/**
 * The closed value sets of the policy admin system. Their types are generated from the enums in
 * schema.graphql; the runtime lists (the seed draws from them) are checked against those types, so a list
 * that misses or adds a value does not compile. Lines of business, policy statuses, genders and identity
 * document types are company-wide (@icg/shared's vocabulary); the compiler checks the schema agrees.
 */
import { everyValueOf, type CompilesIfTrue, type SameValues } from '@icg/shared';
import type * as Vocabulary from '@icg/shared';
import type {
  Gender,
  IdentityDocumentType,
  InsuredObjectKind,
  LineOfBusiness,
  ParticipantRole,
  PaymentStatus,
  PolicyStatus,
  RelationshipToPolicyholder,
  ReminderChannel,
  ReminderStatus,
  SalesChannel,
  TerminationReason,
} from './generated/schema-types';

export type {
  Gender,
  IdentityDocumentType,
  InsuredObjectKind,
  LineOfBusiness,
  ParticipantRole,
  PaymentStatus,
  PolicyStatus,
  RelationshipToPolicyholder,
  ReminderChannel,
  ReminderStatus,
  SalesChannel,
  TerminationReason,
};

export type SchemaEnumsMatchVocabulary = CompilesIfTrue<
  SameValues<LineOfBusiness, Vocabulary.LineOfBusiness> &
    SameValues<PolicyStatus, Vocabulary.PolicyStatus> &
    SameValues<Gender, Vocabulary.Gender> &
    SameValues<IdentityDocumentType, Vocabulary.IdentityDocumentType>
>;

export const PAYMENT_STATUSES = everyValueOf<PaymentStatus>()(['PAID', 'PARTIAL', 'UNPAID', 'REFUNDED']);
export const SALES_CHANNELS = everyValueOf<SalesChannel>()(['DIRECT', 'AGENT', 'BROKER', 'BANCASSURANCE', 'ONLINE', 'TELESALES']);
export const TERMINATION_REASONS = everyValueOf<TerminationReason>()(['CUSTOMER_REQUEST', 'NON_PAYMENT', 'OBJECT_SOLD', 'UNDERWRITING']);
export const PARTICIPANT_ROLES = everyValueOf<ParticipantRole>()(['POLICYHOLDER', 'INSURED', 'BENEFICIARY', 'DRIVER', 'PAYER']);
export const RELATIONSHIPS = everyValueOf<RelationshipToPolicyholder>()(['SELF', 'SPOUSE', 'CHILD', 'PARENT', 'EMPLOYEE']);
export const INSURED_OBJECT_KINDS = everyValueOf<InsuredObjectKind>()(['VEHICLE', 'PROPERTY', 'CARGO', 'PERSON', 'PROJECT']);

/** Reminders go out these many days before expiry (DOMAIN.md section 5). */
export const REMINDER_DAYS_BEFORE = [60, 30, 15, 7] as const;
export const REMINDER_CHANNELS = everyValueOf<ReminderChannel>()(['SMS', 'WECHAT', 'PHONE', 'EMAIL']);
export const REMINDER_STATUSES = everyValueOf<ReminderStatus>()(['SCHEDULED', 'SENT', 'FAILED', 'CANCELLED']);
