/**
 * The closed vocabularies of the business, defined once. The runtime (resolvers, records, enforcement),
 * the access-policy validator and the synthetic-data seeders all read them from here.
 *
 * Many are also enums in the subgraph schemas (the enum's name is given beside each list). Their order is
 * the schema's, which for statuses is the lifecycle order code relies on (`indexOf` compares stages).
 * tests/generated-types.test.ts checks every schema that declares one of these enums lists the same values
 * in the same order; each subgraph's records.ts also checks its generated enum types against these at
 * compile time.
 */

/**
 * A runtime list of a vocabulary that is defined as a type elsewhere (a generated schema enum), checked at
 * compile time both ways: an unknown value fails the `Vocabulary[]` constraint, and a value the list leaves
 * out fails to compile with `missingValues` naming it.
 *
 *     export const CLAIM_CAUSES = everyValueOf<ClaimCause>()(['COLLISION', 'THEFT', …]);
 */
export function everyValueOf<Vocabulary extends string>() {
  return <const Listed extends readonly Vocabulary[]>(values: Listed & MissingValues<Vocabulary, Listed>): Listed => values;
}

type MissingValues<Vocabulary extends string, Listed extends readonly Vocabulary[]> = [Exclude<Vocabulary, Listed[number]>] extends [never]
  ? unknown
  : { readonly missingValues: Exclude<Vocabulary, Listed[number]> };

/** `true` when two vocabulary types hold the same values, else the values only one of them has. */
export type SameValues<A extends string, B extends string> = [Exclude<A, B> | Exclude<B, A>] extends [never]
  ? true
  : { readonly valuesInOnlyOne: Exclude<A, B> | Exclude<B, A> };

/**
 * A compile-time assertion, for exported type aliases such as
 * `export type StatusesMatch = CompilesIfTrue<SameValues<GeneratedStatus, PolicyStatus>>`.
 */
export type CompilesIfTrue<Check extends true> = Check;

// --- The organisation --------------------------------------------------------------------------------

/** Levels of the org tree (enum BranchLevel). */
export const BRANCH_LEVELS = ['HEAD_OFFICE', 'PROVINCE', 'CITY'] as const;
export type BranchLevel = (typeof BRANCH_LEVELS)[number];

/**
 * Staff roles (enum StaffRole): what a token's `role` names and what the access policy rules on, one entry
 * per role (docs/access-model.md section 4).
 */
export const STAFF_ROLES = [
  'CUSTOMER_MANAGER',
  'OPERATOR',
  'SERVICE_CENTER_MANAGER',
  'HOTLINE_AGENT',
  'CLAIMS_ADJUSTER',
  'COMPLAINT_OFFICER',
  'EXECUTIVE',
  'BI_ANALYST',
  'AUDITOR',
] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Customer-manager grades, highest first (enum ManagerGrade); promotions move towards the front. */
export const MANAGER_GRADES = ['SENIOR', 'PRINCIPAL', 'REGULAR', 'JUNIOR', 'TRAINEE'] as const;
export type ManagerGrade = (typeof MANAGER_GRADES)[number];

/** Stated reasons for reading clear RESTRICTED values (docs/access-model.md section 4): token claim and policy file. */
export const PURPOSES = ['CLAIM_HANDLING', 'COMPLAINT_HANDLING', 'CUSTOMER_SERVICE', 'AUDIT'] as const;
export type Purpose = (typeof PURPOSES)[number];

// --- Customers and the people on policies ------------------------------------------------------------

/** enum CustomerKind */
export const CUSTOMER_KINDS = ['INDIVIDUAL', 'ORGANISATION'] as const;
export type CustomerKind = (typeof CUSTOMER_KINDS)[number];

/** enum Gender (customers, policy participants, staff, household members) */
export const GENDERS = ['MALE', 'FEMALE'] as const;
export type Gender = (typeof GENDERS)[number];

/** Resident ID for people, unified social credit code for organisations (enum IdentityDocumentType). */
export const IDENTITY_DOCUMENT_TYPES = ['RESIDENT_ID', 'USCC'] as const;
export type IdentityDocumentType = (typeof IDENTITY_DOCUMENT_TYPES)[number];

// --- Policies ----------------------------------------------------------------------------------------

/** enum LineOfBusiness (policies, complaints) */
export const LINES_OF_BUSINESS = ['MOTOR', 'PROPERTY', 'CARGO', 'LIABILITY', 'ENGINEERING', 'ACCIDENT_HEALTH'] as const;
export type LineOfBusiness = (typeof LINES_OF_BUSINESS)[number];

/** enum PolicyStatus */
export const POLICY_STATUSES = ['QUOTED', 'BOUND', 'IN_FORCE', 'EXPIRED', 'RENEWED', 'CANCELLED', 'LAPSED'] as const;
export type PolicyStatus = (typeof POLICY_STATUSES)[number];

// --- Claims ------------------------------------------------------------------------------------------

/** Claim lifecycle (DOMAIN.md section 4; enum ClaimStatus): the main path, then the side exits, then reopened. */
export const CLAIM_STATUSES = [
  'REPORTED',
  'DISPATCHED',
  'SURVEYED',
  'REGISTERED',
  'ASSESSED',
  'DOCUMENTS_COMPLETE',
  'ADJUSTED',
  'APPROVED',
  'PAID',
  'CLOSED',
  'CANCELLED',
  'WITHDRAWN',
  'DENIED',
  'ZERO_CLOSED',
  'REOPENED',
] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/** How a loss was reported (enum ClaimReportChannel); HOTLINE claims also have a CLAIM_REPORT ticket. */
export const CLAIM_REPORT_CHANNELS = ['HOTLINE', 'APP', 'AGENT', 'COUNTER', 'WECHAT'] as const;
export type ClaimReportChannel = (typeof CLAIM_REPORT_CHANNELS)[number];

// --- The service hotline -----------------------------------------------------------------------------

/** enum ServiceRequestType */
export const SERVICE_REQUEST_TYPES = ['CLAIM_REPORT', 'ENQUIRY', 'COMPLAINT', 'POLICY_SERVICE', 'RENEWAL', 'RESCUE', 'RETURN_VISIT'] as const;
export type ServiceRequestType = (typeof SERVICE_REQUEST_TYPES)[number];

/** enum ServiceRequestStatus, in workflow order */
export const SERVICE_REQUEST_STATUSES = ['NEW', 'TRIAGED', 'ASSIGNED', 'IN_PROGRESS', 'PENDING_CUSTOMER', 'RESOLVED', 'CLOSED'] as const;
export type ServiceRequestStatus = (typeof SERVICE_REQUEST_STATUSES)[number];

// --- Complaints --------------------------------------------------------------------------------------

/** Complaint workflow (enum ComplaintStatus): one status per step reached, in order. */
export const COMPLAINT_STATUSES = ['ACCEPTED', 'VERIFIED', 'REGISTERED', 'TRANSFERRED', 'COORDINATING', 'HANDLED', 'FEEDBACK_GIVEN', 'ARCHIVED'] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];

/** enum ComplaintCategory */
export const COMPLAINT_CATEGORIES = ['CLAIMS', 'SALES', 'SURRENDER', 'UNDERWRITING', 'SERVICE'] as const;
export type ComplaintCategory = (typeof COMPLAINT_CATEGORIES)[number];

/** Where a complaint came in (enum ComplaintSource); HOTLINE complaints also have a COMPLAINT ticket. */
export const COMPLAINT_SOURCES = ['DIRECT', 'HOTLINE', 'REGULATOR_TRANSFER', 'MEDIA', 'ONLINE', 'LETTER'] as const;
export type ComplaintSource = (typeof COMPLAINT_SOURCES)[number];

/**
 * Every vocabulary here that is also a schema enum, by the enum's name: what tests/generated-types.test.ts
 * compares with each subgraph schema that declares the enum.
 */
export const SCHEMA_ENUM_VOCABULARIES: Readonly<Record<string, readonly string[]>> = {
  BranchLevel: BRANCH_LEVELS,
  StaffRole: STAFF_ROLES,
  ManagerGrade: MANAGER_GRADES,
  CustomerKind: CUSTOMER_KINDS,
  Gender: GENDERS,
  IdentityDocumentType: IDENTITY_DOCUMENT_TYPES,
  LineOfBusiness: LINES_OF_BUSINESS,
  PolicyStatus: POLICY_STATUSES,
  ClaimStatus: CLAIM_STATUSES,
  ClaimReportChannel: CLAIM_REPORT_CHANNELS,
  ServiceRequestType: SERVICE_REQUEST_TYPES,
  ServiceRequestStatus: SERVICE_REQUEST_STATUSES,
  ComplaintStatus: COMPLAINT_STATUSES,
  ComplaintCategory: COMPLAINT_CATEGORIES,
  ComplaintSource: COMPLAINT_SOURCES,
};
