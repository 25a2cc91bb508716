/** Every field of a complaint, children included, as the complaint desk shows it. */
export const COMPLAINT_FIELDS = `
  id complaintNo source complainantName complainantMobile
  customer { id } respondentBranch { id } respondentStaff { id } policy { policyNo } claim { reportNo }
  category lineOfBusiness facts request complexity status
  acceptedAt verifiedAt registeredAt transferredAt coordinatedAt handledAt feedbackAt archivedAt
  deadlineDays dueDate deadlineWarningAt escalationLevel outcome compensationAmount
  reviewRequested reviewOutcome rootCause rectification archived handler { id }
  extensions { days approvedBy { id } approvedAt reason notifiedComplainantAt }
  steps { step actor { id } at form note }
`;

export interface ComplaintView {
  id: string;
  complaintNo: string;
  source: string;
  complainantName: string | null;
  complainantMobile: string | null;
  customer: { id: string };
  respondentBranch: { id: string };
  respondentStaff: { id: string } | null;
  policy: { policyNo: string } | null;
  claim: { reportNo: string } | null;
  category: string;
  lineOfBusiness: string | null;
  facts: string | null;
  request: string | null;
  complexity: string;
  status: string;
  acceptedAt: string;
  verifiedAt: string | null;
  registeredAt: string | null;
  transferredAt: string | null;
  coordinatedAt: string | null;
  handledAt: string | null;
  feedbackAt: string | null;
  archivedAt: string | null;
  deadlineDays: number;
  dueDate: string;
  deadlineWarningAt: string | null;
  escalationLevel: string;
  outcome: string | null;
  compensationAmount: number | null;
  reviewRequested: boolean;
  reviewOutcome: string | null;
  rootCause: string | null;
  rectification: string | null;
  archived: boolean;
  handler: { id: string } | null;
  extensions: { days: number; approvedBy: { id: string } | null; approvedAt: string; reason: string | null; notifiedComplainantAt: string | null }[];
  steps: { step: string; actor: { id: string } | null; at: string; form: string | null; note: string | null }[];
}
