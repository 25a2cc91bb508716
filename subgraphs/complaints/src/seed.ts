import { insertInChunks, latestTimestamp, sqlTimestamp, toIsoTimestamp, type ComplaintCategory, type Knex, type StaffRole } from '@icg/shared';
import {
  branchLineage,
  SeededRandom,
  type BranchFact,
  type ClaimFact,
  type ComplaintFact,
  type CustomerFact,
  type OrgFacts,
  type PolicyFact,
  type SeedBatch,
  type StaffFact,
  type SubgraphSeeder,
} from '@icg/synthetic';
import { dueDateOf } from './deadlines';
import { complainantAccount, extensionReason, rectificationFor, stepNote, type NarrativeContext, type StepNoteContext } from './narratives';
import { ancestorAt, LEVELS_UPWARD, levelOfPath } from './org-directory';
import type { ComplaintRow, ComplaintStepRow, DeadlineExtensionRow, EscalationRow, ExtensionRequestRow } from './records';
import { planTimeline } from './timeline';
import {
  FORM_OF_STEP,
  hasReached,
  stepsReached,
  type ComplaintComplexity,
  type ComplaintOutcome,
  type ComplaintSource,
  type EscalationLevel,
  type EscalationReason,
  type RootCause,
} from './workflow';

/**
 * Elaborates the company's complaint facts (shared/src/synthetic/company.ts) into the register's rows.
 * Each complaint draws from its own generator, so the same seed gives the same register whatever the
 * batch size; nothing is read back from the database.
 */

/** Regulator transfers and press cases are more often complex, and escalate higher. */
const isHighProfile = (source: ComplaintSource): boolean => source === 'REGULATOR_TRANSFER' || source === 'MEDIA';

function complexityFor(random: SeededRandom, source: ComplaintSource): ComplaintComplexity {
  return isHighProfile(source)
    ? random.weighted([
        ['SIMPLE', 0.35],
        ['COMPLEX', 0.4],
        ['ESPECIALLY_COMPLEX', 0.25],
      ] as const)
    : random.weighted([
        ['SIMPLE', 0.72],
        ['COMPLEX', 0.21],
        ['ESPECIALLY_COMPLEX', 0.07],
      ] as const);
}

function escalationFor(random: SeededRandom, source: ComplaintSource, complexity: ComplaintComplexity): EscalationLevel {
  return isHighProfile(source) || complexity === 'ESPECIALLY_COMPLEX'
    ? random.weighted([
        ['CITY', 0.3],
        ['PROVINCE', 0.5],
        ['HEAD_OFFICE', 0.2],
      ] as const)
    : random.weighted([
        ['CITY', 0.85],
        ['PROVINCE', 0.13],
        ['HEAD_OFFICE', 0.02],
      ] as const);
}

/** Compensation (yuan) granted on an upheld complaint, and how often any is. */
const COMPENSATION: Readonly<Record<ComplaintCategory, { chance: number; range: readonly [number, number] }>> = {
  CLAIMS: { chance: 0.9, range: [1_000, 40_000] },
  SALES: { chance: 0.7, range: [300, 8_000] },
  SURRENDER: { chance: 0.8, range: [200, 6_000] },
  UNDERWRITING: { chance: 0.4, range: [200, 3_000] },
  SERVICE: { chance: 0.3, range: [100, 1_000] },
};

function compensationFor(random: SeededRandom, category: ComplaintCategory, outcome: ComplaintOutcome): number | null {
  const { chance, range } = COMPENSATION[category];
  if ((outcome !== 'UPHELD' && outcome !== 'PARTIALLY_UPHELD') || !random.chance(chance)) return null;
  const full = random.amount(range[0], range[1]);
  return outcome === 'UPHELD' ? full : Math.round(full * (0.3 + random.next() * 0.4) * 100) / 100;
}

/** A founded complaint has the cause its account describes; an unfounded one was a misunderstanding. */
function rootCauseFor(random: SeededRandom, outcome: ComplaintOutcome, foundedCause: RootCause): RootCause {
  if (outcome === 'UPHELD' || outcome === 'PARTIALLY_UPHELD') return foundedCause;
  return random.chance(0.6) ? 'CUSTOMER_MISUNDERSTANDING' : 'COMMUNICATION_GAP';
}

/** Facts of this batch a complaint refers to, by key. */
interface BatchIndex {
  batch: SeedBatch;
  customers: ReadonlyMap<number, CustomerFact>;
  policies: ReadonlyMap<string, PolicyFact>;
  claims: ReadonlyMap<string, ClaimFact>;
  branches: ReadonlyMap<number, BranchFact>;
}

function indexBatch(batch: SeedBatch): BatchIndex {
  return {
    batch,
    customers: new Map(batch.customers.map((customer) => [customer.id, customer])),
    policies: new Map(batch.policies.map((policy) => [policy.policyNo, policy])),
    claims: new Map(batch.claims.map((claim) => [claim.reportNo, claim])),
    branches: new Map(batch.org.branches.map((branch) => [branch.id, branch])),
  };
}

/** A member of staff with the role in the first of the branches that has one. */
function staffIn(random: SeededRandom, org: OrgFacts, role: StaffRole, branches: readonly BranchFact[]): StaffFact | null {
  for (const branch of branches) {
    const candidates = org.staffByRoleAndBranch(role, branch.id);
    if (candidates.length) return random.pick(candidates);
  }
  return null;
}

/** Who was complained about: the claim's handler, the policy's servicing manager, or the customer's manager. */
function respondentStaffId(
  random: SeededRandom,
  category: ComplaintCategory,
  claim: ClaimFact | null,
  policy: PolicyFact | null,
  customer: CustomerFact | null,
): number | null {
  if (category === 'CLAIMS') return claim?.handlerStaffId ?? null;
  const manager = policy?.servicingManagerStaffId ?? customer?.primaryManagerStaffId ?? null;
  return category === 'SERVICE' && random.chance(0.5) ? null : manager;
}

/** `YYYY-MM-DD HH:MM:SS` (as facts carry it) or ISO 8601, always UTC. */
function parseFactTimestamp(value: string): Date {
  return new Date(/[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
}

interface ElaboratedComplaint {
  complaint: ComplaintRow;
  steps: ComplaintStepRow[];
  extensions: DeadlineExtensionRow[];
  extensionRequests: ExtensionRequestRow[];
  escalations: EscalationRow[];
}

const ROUTINE_ESCALATION_REASONS: readonly EscalationReason[] = ['CROSS_UNIT', 'UNRESOLVED_AT_LEVEL', 'DEADLINE_AT_RISK', 'COMPLAINANT_REQUEST'];

/**
 * One row per level the complaint went up, from the accountable unit's level to the level it reached, between
 * its transfer and its coordination (or asOf while it is still being transferred).
 */
function escalationRows(
  random: SeededRandom,
  complaintId: number,
  branchPath: string,
  reached: EscalationLevel,
  source: ComplaintSource,
  window: { from: Date; to: Date },
  escalatedBy: number,
): EscalationRow[] {
  const levels = LEVELS_UPWARD.slice(LEVELS_UPWARD.indexOf(levelOfPath(branchPath)) + 1, LEVELS_UPWARD.indexOf(reached) + 1);
  const spanSeconds = Math.max(levels.length + 1, Math.floor((window.to.getTime() - window.from.getTime()) / 1_000));
  let previous = levelOfPath(branchPath);
  return levels.map((level, index) => {
    const row: EscalationRow = {
      id: complaintId * 10 + index + 1,
      complaint_id: complaintId,
      sequence: index + 1,
      from_level: previous,
      to_level: level,
      branch_id: Number(ancestorAt(branchPath, level).id),
      reason: isHighProfile(source) ? 'REGULATOR_OR_MEDIA' : random.pick(ROUTINE_ESCALATION_REASONS),
      escalated_by_staff_id: escalatedBy,
      at: sqlTimestamp(new Date(window.from.getTime() + Math.floor((spanSeconds * (index + 1)) / (levels.length + 1)) * 1_000)),
    };
    previous = level;
    return row;
  });
}

function elaborateComplaint(fact: ComplaintFact, index: BatchIndex): ElaboratedComplaint {
  const { batch } = index;
  const random = SeededRandom.for(batch.seed, 'complaint', fact.id);
  const customer = index.customers.get(fact.customerId) ?? null;
  const claim = fact.reportNo === null ? null : (index.claims.get(fact.reportNo) ?? null);
  const policy = index.policies.get(fact.policyNo ?? claim?.policyNo ?? '') ?? null;
  // The fact's branch is the accountable unit: the claim's or policy's branch (谁造成投诉谁负责处理).
  const branch = index.branches.get(fact.branchId)!;
  const lineage = branchLineage(batch.org, branch.id);
  const branchAt = (level: EscalationLevel): BranchFact => lineage.find((entry) => entry.level === level) ?? branch;

  // The company decides how the complaint came in; the hotline holds a ticket for HOTLINE ones.
  const source = fact.source;
  const complexity = complexityFor(random, source);
  const plannedOutcome = random.weighted([
    ['UPHELD', 0.3],
    ['PARTIALLY_UPHELD', 0.25],
    ['NOT_UPHELD', 0.35],
    ['WITHDRAWN', 0.1],
  ] as const);
  const handled = hasReached(fact.status, 'HANDLE');
  const notified = hasReached(fact.status, 'FEEDBACK');
  const reviewRequested = notified && (plannedOutcome === 'NOT_UPHELD' || plannedOutcome === 'PARTIALLY_UPHELD') && random.chance(0.2);
  const escalation = hasReached(fact.status, 'TRANSFER') ? escalationFor(random, source, complexity) : 'CITY';

  const acceptedAt = parseFactTimestamp(fact.acceptedAt);
  const timeline = planTimeline(random, acceptedAt, batch.asOf, { complexity, status: fact.status, late: random.chance(0.08), reviewRequested });
  const narrative: NarrativeContext = {
    category: fact.category,
    lineOfBusiness: policy?.lineOfBusiness ?? null,
    policyNo: policy?.policyNo ?? null,
    reportNo: fact.reportNo,
    lossDate: claim?.lossDate ?? null,
    complaintNo: fact.complaintNo,
    branchName: branch.name,
  };
  const account = complainantAccount(random, narrative);
  const outcome = handled ? plannedOutcome : null;
  const rootCause = outcome === null ? null : rootCauseFor(random, outcome, account.rootCause);

  const caseOfficer = fact.handlerStaffId ?? staffIn(random, batch.org, 'COMPLAINT_OFFICER', [...lineage].reverse())?.id ?? null;
  const hotlineAgent = staffIn(random, batch.org, 'HOTLINE_AGENT', [branchAt('HEAD_OFFICE')])?.id ?? null;
  const coordinator =
    escalation === 'CITY'
      ? (staffIn(random, batch.org, 'SERVICE_CENTER_MANAGER', [branch])?.id ?? caseOfficer)
      : (staffIn(random, batch.org, 'COMPLAINT_OFFICER', [branchAt(escalation)])?.id ?? caseOfficer);
  const noteContext: StepNoteContext = { ...narrative, source, escalationLevel: escalation, outcome: plannedOutcome, reviewRequested };
  const timeOf = (stepIndex: number): string | null => {
    const at = timeline.stepTimes[stepIndex];
    return at ? sqlTimestamp(at) : null;
  };

  const steps: ComplaintStepRow[] = stepsReached(fact.status).map((step, sequence) => ({
    id: fact.id * 10 + sequence,
    complaint_id: fact.id,
    sequence,
    step,
    actor_staff_id: step === 'ACCEPT' && source === 'HOTLINE' ? hotlineAgent : step === 'COORDINATE' ? coordinator : caseOfficer,
    at: timeOf(sequence)!,
    form: FORM_OF_STEP[step],
    note: stepNote(random, step, noteContext),
  }));

  // The first extension is the accountable branch's decision, the second needs the province's approval.
  const extensions: DeadlineExtensionRow[] = timeline.extensions.map((extension) => {
    const approverLevel: EscalationLevel = extension.sequence === 1 ? 'CITY' : 'PROVINCE';
    const approver = staffIn(random, batch.org, extension.sequence === 1 ? 'SERVICE_CENTER_MANAGER' : 'EXECUTIVE', [branchAt(approverLevel)]);
    const notifiedAt = new Date(extension.approvedAt.getTime() + random.int(1, 20) * 3_600_000);
    return {
      id: fact.id * 10 + extension.sequence,
      complaint_id: fact.id,
      sequence: extension.sequence,
      days: extension.days,
      approved_by_staff_id: approver?.id ?? null,
      approved_at: sqlTimestamp(extension.approvedAt),
      reason: extensionReason(random, extension.sequence, approverLevel),
      notified_complainant_at: notifiedAt <= batch.asOf ? sqlTimestamp(notifiedAt) : null,
      // Who asked, and when: filled in below from the request trail.
      requested_by_staff_id: null,
      requested_at: null,
    };
  });

  // Who asked for each extension, the further one's request, and the escalations: drawn from a generator of
  // their own, so the rest of the register is what it was before the write side kept them.
  const trail = SeededRandom.for(batch.seed, 'complaint-trail', fact.id);
  const extensionRequests: ExtensionRequestRow[] = [];
  if (caseOfficer !== null) {
    for (const extension of extensions) {
      const approvedAt = new Date(toIsoTimestamp(extension.approved_at)!);
      const requestedAt = extension.sequence === 1 ? approvedAt : new Date(Math.max(acceptedAt.getTime(), approvedAt.getTime() - trail.int(2, 48) * 3_600_000));
      extension.requested_by_staff_id = caseOfficer;
      extension.requested_at = sqlTimestamp(requestedAt);
      if (extension.sequence === 2) {
        extensionRequests.push({
          id: fact.id * 10 + 1,
          complaint_id: fact.id,
          sequence: 1,
          days: extension.days,
          requested_by_staff_id: caseOfficer,
          requested_at: extension.requested_at,
          reason: extension.reason ?? '',
          status: 'APPROVED',
          decided_by_staff_id: extension.approved_by_staff_id,
          decided_at: extension.approved_at,
        });
      }
    }
  }
  const escalatedBy = caseOfficer ?? coordinator;
  const escalations =
    escalatedBy === null || !hasReached(fact.status, 'TRANSFER')
      ? []
      : escalationRows(
          trail,
          fact.id,
          fact.branchPath,
          escalation,
          source,
          { from: timeline.stepTimes[3]!, to: timeline.stepTimes[4] ?? batch.asOf },
          escalatedBy,
        );

  const archived = hasReached(fact.status, 'ARCHIVE');
  const complaint: ComplaintRow = {
    id: fact.id,
    complaint_no: fact.complaintNo,
    source,
    complainant_name: customer?.name ?? null,
    complainant_mobile: customer?.mobile ?? null,
    customer_id: fact.customerId,
    branch_id: fact.branchId,
    branch_path: fact.branchPath,
    handler_staff_id: fact.handlerStaffId,
    customer_manager_staff_id: customer?.primaryManagerStaffId ?? null,
    respondent_staff_id: respondentStaffId(random, fact.category, claim, policy, customer),
    policy_no: policy?.policyNo ?? null,
    report_no: fact.reportNo,
    category: fact.category,
    line_of_business: policy?.lineOfBusiness ?? null,
    facts: account.facts,
    request: account.request,
    complexity,
    status: fact.status,
    accepted_at: sqlTimestamp(acceptedAt),
    verified_at: timeOf(1),
    registered_at: timeOf(2),
    transferred_at: timeOf(3),
    coordinated_at: timeOf(4),
    handled_at: timeOf(5),
    feedback_at: timeOf(6),
    archived_at: timeOf(7),
    updated_at: latestTimestamp(acceptedAt, timeOf(1), timeOf(2), timeOf(3), timeOf(4), timeOf(5), timeOf(6), timeOf(7)),
    deadline_days: timeline.deadlineDays,
    due_date: dueDateOf(acceptedAt, timeline.deadlineDays),
    escalation_level: escalation,
    outcome,
    compensation_amount: outcome === null ? null : compensationFor(random, fact.category, outcome),
    review_requested: reviewRequested,
    // A review is decided before the case is archived; until then it is pending.
    review_outcome:
      reviewRequested && archived
        ? random.weighted([
            ['MAINTAINED', 0.75],
            ['REVISED', 0.25],
          ] as const)
        : null,
    root_cause: rootCause,
    rectification: outcome === 'UPHELD' || outcome === 'PARTIALLY_UPHELD' ? rectificationFor(random, rootCause!) : null,
    archived,
    version: 1,
    // The fact's branch is the accountable unit, known since verification.
    respondent_determined_at: timeOf(1),
    withdrawn_at: null,
    review_requested_at: null,
    review_decided_at: null,
    source_ticket_no: null,
  };
  return { complaint, steps, extensions, extensionRequests, escalations };
}

/** The org tree and staff, which the register checks the accountable units and handlers it is told about against. */
async function seedReference(db: Knex, org: OrgFacts): Promise<void> {
  await insertInChunks(
    db,
    'complaint_org_branches',
    org.branches.map((branch) => ({ id: branch.id, parent_id: branch.parentId, path: branch.path, level: branch.level })),
  );
  await insertInChunks(
    db,
    'complaint_org_staff',
    org.staff.map((member) => ({ id: member.id, role: member.role, branch_id: member.branchId, branch_path: member.branchPath })),
  );
}

export const complaintsSeeder: SubgraphSeeder = {
  name: 'complaints',
  tables: [
    'complaint_escalations',
    'complaint_extension_requests',
    'complaint_deadline_extensions',
    'complaint_steps',
    'complaints',
    'complaint_org_staff',
    'complaint_org_branches',
  ],
  seedReference,
  async seedBatch(db: Knex, batch: SeedBatch): Promise<void> {
    const index = indexBatch(batch);
    const complaints: ComplaintRow[] = [];
    const steps: ComplaintStepRow[] = [];
    const extensions: DeadlineExtensionRow[] = [];
    const extensionRequests: ExtensionRequestRow[] = [];
    const escalations: EscalationRow[] = [];
    for (const fact of batch.complaints) {
      const elaborated = elaborateComplaint(fact, index);
      complaints.push(elaborated.complaint);
      steps.push(...elaborated.steps);
      extensions.push(...elaborated.extensions);
      extensionRequests.push(...elaborated.extensionRequests);
      escalations.push(...elaborated.escalations);
    }
    await insertInChunks(db, 'complaints', complaints);
    await insertInChunks(db, 'complaint_steps', steps);
    await insertInChunks(db, 'complaint_deadline_extensions', extensions);
    await insertInChunks(db, 'complaint_extension_requests', extensionRequests);
    await insertInChunks(db, 'complaint_escalations', escalations);
  },
};
