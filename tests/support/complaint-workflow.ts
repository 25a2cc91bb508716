/**
 * The complaint workflow as its tests drive it through the gateway: the mutations, the fields a user reads
 * back, and the seeded people who act (complaint officers of a city, of a sibling city and of the province
 * above, the city's service-centre manager, the province's executive, a hotline agent, a customer manager).
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_SEED, generateOrg, type BranchFact, type StaffFact } from '@icg/synthetic';
import type { StaffRole } from '@icg/shared';
import type { GraphUnderTest } from './graph-under-test';
import type { GraphQLResponse } from './graphql-client';
import type { ActingAs } from './test-security';

/** What every role that works complaints may read: no personal or narrative field. */
const INTERNAL_FIELDS = `
    complaintNo status version source category complexity
    customer { id }
    respondentBranch { id } respondentStaff { id } respondentDeterminedAt
    handlingBranch { id } escalationLevel
    escalations { level branch { id } reason escalatedBy { id } at }
    handler { id }
    acceptedAt verifiedAt registeredAt transferredAt coordinatedAt handledAt feedbackAt archivedAt withdrawnAt
    deadlineDays dueDate deadlineWarningAt deadlineWarning overdue
    outcome rootCause rectification
    reviewRequested reviewRequestedAt reviewOutcome reviewDecidedAt archived
    sourceTicket { ticketNo }`;

/** The complaint desk's view: the internal fields, the narratives and the notes. */
export const COMPLAINT_VIEW = `
  fragment ComplaintView on Complaint {
    ${INTERNAL_FIELDS}
    facts request compensationAmount
    extensions { days approvedBy { id } approvedAt requestedBy { id } requestedAt reason notifiedComplainantAt }
    extensionRequests { days status requestedBy { id } requestedAt reason decidedBy { id } decidedAt }
    steps { step actor { id } at form note }
  }`;

/**
 * The hotline's view: for an agent, personal and narrative fields are never readable (they answer as fields
 * that do not exist), so the agent's desk asks for the rest only.
 */
export const HOTLINE_COMPLAINT_VIEW = `
  fragment ComplaintView on Complaint {
    ${INTERNAL_FIELDS}
    extensions { days approvedBy { id } approvedAt requestedBy { id } requestedAt notifiedComplainantAt }
    extensionRequests { days status requestedBy { id } requestedAt decidedBy { id } decidedAt }
    steps { step actor { id } at form }
  }`;

export interface ComplaintView {
  complaintNo: string;
  status: string;
  version: number;
  source: string;
  category: string;
  complexity: string;
  customer: { id: string };
  respondentBranch: { id: string };
  respondentStaff: { id: string } | null;
  respondentDeterminedAt: string | null;
  handlingBranch: { id: string };
  escalationLevel: string;
  escalations: { level: string; branch: { id: string }; reason: string; escalatedBy: { id: string } | null; at: string }[];
  handler: { id: string } | null;
  facts: string | null;
  request: string | null;
  acceptedAt: string;
  verifiedAt: string | null;
  registeredAt: string | null;
  transferredAt: string | null;
  coordinatedAt: string | null;
  handledAt: string | null;
  feedbackAt: string | null;
  archivedAt: string | null;
  withdrawnAt: string | null;
  deadlineDays: number;
  dueDate: string;
  deadlineWarningAt: string;
  deadlineWarning: boolean;
  overdue: boolean;
  extensions: {
    days: number;
    approvedBy: { id: string } | null;
    approvedAt: string;
    requestedBy: { id: string } | null;
    requestedAt: string | null;
    reason: string | null;
    notifiedComplainantAt: string | null;
  }[];
  extensionRequests: {
    days: number;
    status: string;
    requestedBy: { id: string } | null;
    requestedAt: string;
    reason: string | null;
    decidedBy: { id: string } | null;
    decidedAt: string | null;
  }[];
  outcome: string | null;
  rootCause: string | null;
  compensationAmount: number | null;
  rectification: string | null;
  reviewRequested: boolean;
  reviewRequestedAt: string | null;
  reviewOutcome: string | null;
  reviewDecidedAt: string | null;
  archived: boolean;
  sourceTicket: { ticketNo: string } | null;
  steps: { step: string; actor: { id: string } | null; at: string; form: string | null; note: string | null }[];
}

/** Each mutation with the input type it takes. */
export const COMPLAINT_MUTATIONS = {
  acceptComplaint: 'AcceptComplaintInput',
  verifyComplaint: 'VerifyComplaintInput',
  registerComplaint: 'RegisterComplaintInput',
  transferComplaint: 'TransferComplaintInput',
  coordinateComplaint: 'ComplaintStepInput',
  handleComplaint: 'HandleComplaintInput',
  giveComplaintFeedback: 'ComplaintStepInput',
  archiveComplaint: 'ComplaintStepInput',
  withdrawComplaint: 'ComplaintStepInput',
  extendComplaintDeadline: 'ComplaintExtensionInput',
  requestFurtherComplaintExtension: 'ComplaintExtensionInput',
  decideFurtherComplaintExtension: 'DecideComplaintExtensionInput',
  recordComplaintExtensionNotice: 'ComplaintExtensionNoticeInput',
  escalateComplaint: 'EscalateComplaintInput',
  requestComplaintReview: 'ComplaintReferenceInput',
  decideComplaintReview: 'DecideComplaintReviewInput',
} as const;
export type ComplaintMutation = keyof typeof COMPLAINT_MUTATIONS;

export type ComplaintAnswer = GraphQLResponse<Partial<Record<ComplaintMutation, ComplaintView | null>>>;

export function mutationText(mutation: ComplaintMutation, view = COMPLAINT_VIEW): string {
  return `mutation Complaint($input: ${COMPLAINT_MUTATIONS[mutation]}!, $key: String!) {
    ${mutation}(input: $input, idempotencyKey: $key) { ...ComplaintView }
  } ${view}`;
}

const viewFor = (acting: ActingAs): string => (acting.role === 'HOTLINE_AGENT' ? HOTLINE_COMPLAINT_VIEW : COMPLAINT_VIEW);

/** One complaint mutation through the gateway; a fresh idempotency key unless one is given. */
export function mutateComplaint(
  graph: GraphUnderTest,
  mutation: ComplaintMutation,
  input: Record<string, unknown>,
  acting: ActingAs,
  idempotencyKey: string = randomUUID(),
): Promise<ComplaintAnswer> {
  return graph.query(mutationText(mutation, viewFor(acting)), { input, key: idempotencyKey }, acting);
}

/** The complaint as the mutation answered it; fails the test with the errors when there is none. */
export function answered(response: ComplaintAnswer, mutation: ComplaintMutation): ComplaintView {
  const complaint = response.data?.[mutation];
  if (!complaint) throw new Error(`${mutation} answered no complaint: ${JSON.stringify(response.errors)}`);
  return complaint;
}

export async function readComplaint(graph: GraphUnderTest, complaintNo: string, acting: ActingAs): Promise<ComplaintView> {
  const query = `query ReadComplaint($complaintNo: String!) { complaint(complaintNo: $complaintNo) { ...ComplaintView } } ${viewFor(acting)}`;
  const response = await graph.query<{ complaint: ComplaintView | null }>(query, { complaintNo }, acting);
  if (!response.data?.complaint) throw new Error(`complaint ${complaintNo} could not be read: ${JSON.stringify(response.errors)}`);
  return response.data.complaint;
}

/** The first error's extensions, for `expect(…).toMatchObject`. */
export function firstError(response: GraphQLResponse<unknown>): Record<string, unknown> | undefined {
  return response.errors?.[0]?.extensions;
}

const org = generateOrg(DEFAULT_SEED);

function staffOf(role: StaffRole, branch: BranchFact): StaffFact {
  const member = org.staff.find((candidate) => candidate.role === role && candidate.branchId === branch.id);
  if (!member) throw new Error(`the seeded company has no ${role} at ${branch.name}`);
  return member;
}

export function actingAs(staff: StaffFact): ActingAs {
  return { role: staff.role, staffId: String(staff.id) };
}

/** A province with two cities, the people of the workflow there, and a city of another province. */
export function complaintPeople() {
  const province = org.branches.find((branch) => branch.level === 'PROVINCE')!;
  const [city, siblingCity] = org.branches.filter((branch) => branch.parentId === province.id);
  const otherProvince = org.branches.find((branch) => branch.level === 'PROVINCE' && branch.id !== province.id)!;
  const farCity = org.branches.find((branch) => branch.parentId === otherProvince.id)!;
  const headOffice = org.branches.find((branch) => branch.level === 'HEAD_OFFICE')!;
  return {
    headOffice,
    province,
    city: city!,
    siblingCity: siblingCity!,
    farCity,
    officer: staffOf('COMPLAINT_OFFICER', city!),
    siblingOfficer: staffOf('COMPLAINT_OFFICER', siblingCity!),
    provinceOfficer: staffOf('COMPLAINT_OFFICER', province),
    serviceCentreManager: staffOf('SERVICE_CENTER_MANAGER', city!),
    provinceExecutive: staffOf('EXECUTIVE', province),
    hotlineAgent: staffOf('HOTLINE_AGENT', headOffice),
    customerManager: staffOf('CUSTOMER_MANAGER', city!),
  };
}
