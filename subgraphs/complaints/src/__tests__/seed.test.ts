import { COMPLAINT_CATEGORIES, COMPLAINT_STATUSES, addDays, isValidMobile, isoDate, openDatabase, toIsoDate, toIsoTimestamp, type Knex } from '@icg/shared';
import { DEFAULT_AS_OF } from '@icg/synthetic';
import { seedTestStore, type SeededStore } from '../../../../tests/support/seeded-subgraph';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import { isOverdue } from '../deadlines';
import { ancestorAt, levelOfPath, LEVELS_UPWARD } from '../org-directory';
import type { ComplaintRow, ComplaintStepRow, DeadlineExtensionRow, EscalationRow, ExtensionRequestRow } from '../records';
import {
  COMPLAINT_COMPLEXITIES,
  COMPLAINT_OUTCOMES,
  COMPLAINT_SOURCES,
  ESCALATION_LEVELS,
  FORM_OF_STEP,
  REVIEW_OUTCOMES,
  ROOT_CAUSES,
  stepsReached,
} from '../workflow';
import { TEST_STORE } from './test-store';

const DAY_MS = 86_400_000;
const instant = (value: string | Date): Date => new Date(toIsoTimestamp(value)!);
const STEP_COLUMNS = ['accepted_at', 'verified_at', 'registered_at', 'transferred_at', 'coordinated_at', 'handled_at', 'feedback_at', 'archived_at'] as const;

interface Register {
  complaints: ComplaintRow[];
  steps: ComplaintStepRow[];
  extensions: DeadlineExtensionRow[];
  extensionRequests: ExtensionRequestRow[];
  escalations: EscalationRow[];
}

async function readRegister(db: Knex): Promise<Register> {
  return {
    complaints: await db.table('complaints').orderBy('id'),
    steps: await db.table('complaint_steps').orderBy('id'),
    extensions: await db.table('complaint_deadline_extensions').orderBy('id'),
    extensionRequests: await db.table('complaint_extension_requests').orderBy('id'),
    escalations: await db.table('complaint_escalations').orderBy('id'),
  };
}

function groupBy<Row>(rows: readonly Row[], key: (row: Row) => string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return groups;
}

describe.each(TEST_DIALECTS)('complaints seeder on %s', (dialect) => {
  let store: SeededStore;
  let db: Knex;
  let register: Register;
  let stepsOf: Map<string, ComplaintStepRow[]>;
  let extensionsOf: Map<string, DeadlineExtensionRow[]>;

  beforeAll(async () => {
    store = await seedTestStore({ ...TEST_STORE, dialect });
    db = openDatabase(store.databases.config, 'complaints');
    register = await readRegister(db);
    stepsOf = groupBy(register.steps, (step) => String(step.complaint_id));
    extensionsOf = groupBy(register.extensions, (extension) => String(extension.complaint_id));
  });

  afterAll(async () => {
    await db?.destroy();
    await store?.databases.cleanup();
  });

  it('writes one complaint per fact with the fact’s number, customer, status, category, handler and branch', () => {
    const facts = store.facts.complaints;
    expect(facts.length).toBeGreaterThan(120);
    expect(register.complaints).toHaveLength(facts.length);
    const byNo = new Map(register.complaints.map((row) => [row.complaint_no, row]));
    for (const fact of facts) {
      const row = byNo.get(fact.complaintNo)!;
      expect(row).toBeDefined();
      expect({
        id: String(row.id),
        customer: String(row.customer_id),
        status: row.status,
        category: row.category,
        handler: row.handler_staff_id === null ? null : String(row.handler_staff_id),
        branch: String(row.branch_id),
        path: row.branch_path,
        report: row.report_no,
      }).toEqual({
        id: String(fact.id),
        customer: String(fact.customerId),
        status: fact.status,
        category: fact.category,
        handler: fact.handlerStaffId === null ? null : String(fact.handlerStaffId),
        branch: String(fact.branchId),
        path: fact.branchPath,
        report: fact.reportNo,
      });
      expect(toIsoTimestamp(row.accepted_at)).toBe(toIsoTimestamp(fact.acceptedAt));
    }
  });

  it('takes the complainant from the customer record and scopes the row to the customer’s manager', () => {
    const customers = new Map(store.facts.customers.map((customer) => [String(customer.id), customer]));
    for (const row of register.complaints) {
      const customer = customers.get(String(row.customer_id))!;
      expect(row.complainant_name).toBe(customer.name);
      expect(row.complainant_mobile).toBe(customer.mobile);
      expect(isValidMobile(row.complainant_mobile!)).toBe(true);
      expect(row.customer_manager_staff_id === null ? null : String(row.customer_manager_staff_id)).toBe(
        customer.primaryManagerStaffId === null ? null : String(customer.primaryManagerStaffId),
      );
    }
  });

  it('holds the branch and staff of the claim or policy complained about accountable, and names its line of business', () => {
    const claims = new Map(store.facts.claims.map((claim) => [claim.reportNo, claim]));
    const policies = new Map(store.facts.policies.map((policy) => [policy.policyNo, policy]));
    const asId = (id: number | string | null | undefined) => (id === null || id === undefined ? null : String(id));
    for (const row of register.complaints) {
      const claim = row.report_no === null ? undefined : claims.get(row.report_no);
      const policy = row.policy_no === null ? undefined : policies.get(row.policy_no);
      if (claim) expect(row.policy_no).toBe(claim.policyNo);
      const cause = claim ?? policy;
      if (cause) expect(String(row.branch_id)).toBe(String(cause.branchId));
      expect(row.line_of_business).toBe(policy?.lineOfBusiness ?? null);
      if (claim) expect(asId(row.respondent_staff_id)).toBe(asId(claim.handlerStaffId));
      else if (policy && row.category !== 'SERVICE') expect(asId(row.respondent_staff_id)).toBe(asId(policy.servicingManagerStaffId));
    }
    expect(register.complaints.filter((row) => row.report_no !== null).every((row) => row.category === 'CLAIMS')).toBe(true);
  });

  it('records one step per step reached, in workflow order, on the register’s forms, at the complaint’s own timestamps', () => {
    for (const row of register.complaints) {
      const steps = stepsOf.get(String(row.id)) ?? [];
      const expected = stepsReached(row.status);
      expect(steps.map((step) => step.step)).toEqual(expected);
      expect(steps.map((step) => step.sequence)).toEqual(expected.map((_step, index) => index));
      expect(steps.map((step) => step.form)).toEqual(expected.map((step) => FORM_OF_STEP[step]));
      STEP_COLUMNS.forEach((column, index) => {
        expect(toIsoTimestamp(row[column])).toBe(index < steps.length ? toIsoTimestamp(steps[index]!.at) : null);
      });
      for (const step of steps) expect(step.note).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('keeps step timestamps strictly increasing and no later than asOf', () => {
    for (const steps of stepsOf.values()) {
      const times = steps.map((step) => instant(step.at).getTime());
      times.forEach((time, index) => {
        if (index > 0) expect(time).toBeGreaterThan(times[index - 1]!);
        expect(time).toBeLessThanOrEqual(DEFAULT_AS_OF.getTime());
      });
    }
  });

  it('sets the deadline from the complexity and granted extensions: 15 days, 30 when extended, 60 at most', () => {
    for (const row of register.complaints) {
      const extensions = extensionsOf.get(String(row.id)) ?? [];
      const days = extensions.map((extension) => extension.days);
      if (row.complexity === 'SIMPLE') expect(days).toEqual([]);
      if (row.complexity === 'COMPLEX') expect([[], [15]]).toContainEqual(days);
      if (row.complexity === 'ESPECIALLY_COMPLEX') expect([[], [15], [15, 30]]).toContainEqual(days);
      expect(row.deadline_days).toBe(15 + days.reduce((total, extra) => total + extra, 0));
      expect(row.deadline_days).toBeLessThanOrEqual(60);
      expect(toIsoDate(row.due_date)).toBe(isoDate(addDays(instant(row.accepted_at), row.deadline_days)));
    }
    expect(register.complaints.filter((row) => row.deadline_days === 30).length).toBeGreaterThan(0);
    expect(register.complaints.filter((row) => row.deadline_days === 60).length).toBeGreaterThan(0);
  });

  it('grants extensions while the deadline in force was running, before the decision was notified, and then tells the complainant', () => {
    for (const extension of register.extensions) {
      const complaint = register.complaints.find((row) => String(row.id) === String(extension.complaint_id))!;
      const accepted = instant(complaint.accepted_at).getTime();
      const approved = instant(extension.approved_at).getTime();
      const deadlineInForce = extension.sequence === 1 ? 15 : 30;
      expect(approved).toBeGreaterThan(accepted);
      expect(approved).toBeLessThan(accepted + deadlineInForce * DAY_MS);
      expect(approved).toBeLessThanOrEqual(DEFAULT_AS_OF.getTime());
      if (complaint.feedback_at !== null) expect(approved).toBeLessThan(instant(complaint.feedback_at).getTime());
      if (extension.notified_complainant_at !== null) {
        expect(instant(extension.notified_complainant_at).getTime()).toBeGreaterThan(approved);
        expect(instant(extension.notified_complainant_at).getTime()).toBeLessThanOrEqual(DEFAULT_AS_OF.getTime());
      }
      expect(extension.approved_by_staff_id).not.toBeNull();
      expect(extension.reason).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('names who asked for each extension, and keeps the further one’s request, approved by someone else', () => {
    for (const extension of register.extensions) {
      expect(extension.requested_by_staff_id).not.toBeNull();
      expect(instant(extension.requested_at!).getTime()).toBeLessThanOrEqual(instant(extension.approved_at).getTime());
    }
    const further = register.extensions.filter((extension) => extension.sequence === 2);
    expect(further.length).toBeGreaterThan(0);
    expect(register.extensionRequests).toHaveLength(further.length);
    for (const extension of further) {
      const request = register.extensionRequests.find((candidate) => String(candidate.complaint_id) === String(extension.complaint_id))!;
      expect(request).toMatchObject({ status: 'APPROVED', days: 30, reason: extension.reason });
      expect(String(request.requested_by_staff_id)).toBe(String(extension.requested_by_staff_id));
      expect(String(request.decided_by_staff_id)).toBe(String(extension.approved_by_staff_id));
      expect(String(request.decided_by_staff_id)).not.toBe(String(request.requested_by_staff_id));
    }
  });

  it('records one escalation per level a complaint went up, to the branch above, after its transfer', () => {
    const escalationsOf = groupBy(register.escalations, (escalation) => String(escalation.complaint_id));
    for (const row of register.complaints) {
      const unitLevel = levelOfPath(row.branch_path);
      const climbed = Math.max(0, LEVELS_UPWARD.indexOf(row.escalation_level) - LEVELS_UPWARD.indexOf(unitLevel));
      const escalations = escalationsOf.get(String(row.id)) ?? [];
      expect(escalations).toHaveLength(climbed);
      escalations.forEach((escalation, index) => {
        const level = LEVELS_UPWARD[LEVELS_UPWARD.indexOf(unitLevel) + index + 1]!;
        expect(escalation).toMatchObject({ sequence: index + 1, to_level: level });
        expect(String(escalation.branch_id)).toBe(ancestorAt(row.branch_path, level).id);
        expect(instant(escalation.at).getTime()).toBeGreaterThan(instant(row.transferred_at!).getTime());
      });
    }
    expect(register.escalations.length).toBeGreaterThan(0);
  });

  it('records outcome, compensation, review, root cause and rectification only once the workflow reached them', () => {
    const handledIndex = COMPLAINT_STATUSES.indexOf('HANDLED');
    const feedbackIndex = COMPLAINT_STATUSES.indexOf('FEEDBACK_GIVEN');
    for (const row of register.complaints) {
      const reached = COMPLAINT_STATUSES.indexOf(row.status);
      const upheld = row.outcome === 'UPHELD' || row.outcome === 'PARTIALLY_UPHELD';
      expect(row.outcome === null).toBe(reached < handledIndex);
      expect(row.root_cause === null).toBe(reached < handledIndex);
      if (!upheld) expect(row.compensation_amount).toBeNull();
      if (row.compensation_amount !== null) expect(Number(row.compensation_amount)).toBeGreaterThan(0);
      expect(row.rectification === null).toBe(!upheld);
      if (row.review_requested) expect(reached).toBeGreaterThanOrEqual(feedbackIndex);
      expect(row.review_outcome !== null).toBe(Boolean(row.review_requested) && row.status === 'ARCHIVED');
      expect(Boolean(row.archived)).toBe(row.status === 'ARCHIVED');
      if (reached < COMPLAINT_STATUSES.indexOf('TRANSFERRED')) expect(row.escalation_level).toBe('CITY');
      expect(row.facts).toMatch(/[\u4e00-\u9fff]/);
      expect(row.request).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('covers every status, source, category, complexity, escalation level, outcome, review outcome and root cause', () => {
    const valuesOf = (column: keyof ComplaintRow) => new Set(register.complaints.map((row) => row[column]).filter((value) => value !== null));
    expect(valuesOf('status')).toEqual(new Set(COMPLAINT_STATUSES));
    expect(valuesOf('source')).toEqual(new Set(COMPLAINT_SOURCES));
    expect(valuesOf('category')).toEqual(new Set(COMPLAINT_CATEGORIES));
    expect(valuesOf('complexity')).toEqual(new Set(COMPLAINT_COMPLEXITIES));
    expect(valuesOf('escalation_level')).toEqual(new Set(ESCALATION_LEVELS));
    expect(valuesOf('outcome')).toEqual(new Set(COMPLAINT_OUTCOMES));
    expect(valuesOf('review_outcome')).toEqual(new Set(REVIEW_OUTCOMES));
    expect(valuesOf('root_cause')).toEqual(new Set(ROOT_CAUSES));
  });

  it('has overdue complaints as of asOf, both still open and notified late, but mostly on time', () => {
    const overdue = register.complaints.filter((row) =>
      isOverdue(toIsoDate(row.due_date)!, row.feedback_at === null ? null : instant(row.feedback_at), DEFAULT_AS_OF),
    );
    const openOverdue = overdue.filter((row) => row.feedback_at === null);
    const notifiedLate = overdue.filter((row) => row.feedback_at !== null);
    expect(openOverdue.length).toBeGreaterThan(0);
    expect(notifiedLate.length).toBeGreaterThan(0);
    const notified = register.complaints.filter((row) => row.feedback_at !== null);
    expect(notifiedLate.length / notified.length).toBeLessThan(0.2);
  });

  it('gives the same register for the same seed', async () => {
    const again = await seedTestStore({ ...TEST_STORE, dialect });
    const otherDb = openDatabase(again.databases.config, 'complaints');
    try {
      expect(await readRegister(otherDb)).toEqual(register);
    } finally {
      await otherDb.destroy();
      await again.databases.cleanup();
    }
  });
});
