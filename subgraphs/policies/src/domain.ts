/**
 * The closed value sets of the policy admin system, mirrored by the enums in schema.graphql.
 * Lines of business and policy statuses are the company-wide lists from @icg/shared.
 */
export type { LineOfBusiness, PolicyStatus } from '@icg/shared';

export const PAYMENT_STATUSES = ['PAID', 'PARTIAL', 'UNPAID', 'REFUNDED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const SALES_CHANNELS = ['DIRECT', 'AGENT', 'BROKER', 'BANCASSURANCE', 'ONLINE', 'TELESALES'] as const;
export type SalesChannel = (typeof SALES_CHANNELS)[number];

export const TERMINATION_REASONS = ['CUSTOMER_REQUEST', 'NON_PAYMENT', 'OBJECT_SOLD', 'UNDERWRITING'] as const;
export type TerminationReason = (typeof TERMINATION_REASONS)[number];

export const PARTICIPANT_ROLES = ['POLICYHOLDER', 'INSURED', 'BENEFICIARY', 'DRIVER', 'PAYER'] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];

export const RELATIONSHIPS = ['SELF', 'SPOUSE', 'CHILD', 'PARENT', 'EMPLOYEE'] as const;
export type RelationshipToPolicyholder = (typeof RELATIONSHIPS)[number];

export type IdentityDocumentType = 'RESIDENT_ID' | 'USCC';
export type Gender = 'MALE' | 'FEMALE';

export const INSURED_OBJECT_KINDS = ['VEHICLE', 'PROPERTY', 'CARGO', 'PERSON', 'PROJECT'] as const;
export type InsuredObjectKind = (typeof INSURED_OBJECT_KINDS)[number];

/** Reminders go out these many days before expiry (DOMAIN.md section 5). */
export const REMINDER_DAYS_BEFORE = [60, 30, 15, 7] as const;
export const REMINDER_CHANNELS = ['SMS', 'WECHAT', 'PHONE', 'EMAIL'] as const;
export type ReminderChannel = (typeof REMINDER_CHANNELS)[number];
export const REMINDER_STATUSES = ['SCHEDULED', 'SENT', 'FAILED', 'CANCELLED'] as const;
export type ReminderStatus = (typeof REMINDER_STATUSES)[number];
