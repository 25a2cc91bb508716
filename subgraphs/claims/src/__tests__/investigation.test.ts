/**
 * concludeSpecialInvestigation on the claims subgraph over a seeded store (SQLite, and MariaDB when MYSQL_URL is set),
 * called as the gateway calls it: the finding of a claim under special investigation is recorded once, never by the
 * claim's handler, and told to insights (`claim.investigation-concluded`) in the same commit. From the mutation through
 * the gateway to the customer's classification: tests/insights.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { DELIVERY_TABLE, OUTBOX_TABLE } from '@icg/shared';
import type { StaffFact } from '@icg/synthetic';
import { startSeededSubgraph, type SeededSubgraph } from '../../../../tests/support/seeded-subgraph';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import type { ActingAs } from '../../../../tests/support/test-security';
import type { ClaimRow } from '../records';
import { elaborateClaims } from '../seed';
import { TEST_STORE } from './test-store';

interface Concluded {
  reportNo: string;
  status: string;
  version: number;
}

interface Finding {
  version: number;
  specialInvestigation: boolean;
  investigationOutcome: string | null;
  investigationConcludedAt: string | null;
}

const OPEN = new Set(['REPORTED', 'DISPATCHED', 'SURVEYED', 'REGISTERED', 'ASSESSED', 'DOCUMENTS_COMPLETE', 'ADJUSTED', 'APPROVED', 'PAID']);

describe.each(TEST_DIALECTS)('concluding a special investigation over %s', (dialect) => {
  let claims: SeededSubgraph;
  /** The claims as the store was seeded with them. */
  let seeded: ClaimRow[];

  beforeAll(async () => {
    claims = await startSeededSubgraph({ ...TEST_STORE, dialect, customers: 600 });
    seeded = elaborateClaims(claims.facts).claims;
  });
  afterAll(async () => {
    await claims?.close();
  });

  /** A seeded staff member of the store's company, as the gateway would assert them. */
  const acting = (staff: StaffFact): ActingAs => ({
    role: staff.role,
    staffId: String(staff.id),
    purpose: staff.role === 'CLAIMS_ADJUSTER' ? 'CLAIM_HANDLING' : null,
    seed: TEST_STORE.seed,
  });
  const staffMember = (id: number | string | null): StaffFact => claims.org.staff.find((member) => String(member.id) === String(id))!;
  /** Someone with the role working in the claim's branch or a branch above it who does not handle the claim. */
  const colleague = (claim: ClaimRow, role: StaffFact['role']): StaffFact => {
    const found = claims.org.staff.find(
      (member) => member.role === role && claim.branch_path.startsWith(member.branchPath) && String(member.id) !== String(claim.handler_staff_id),
    );
    if (!found) throw new Error(`no ${role} over ${claim.branch_path} besides the handler`);
    return found;
  };

  const conclude = (claim: { report_no: string }, expectedVersion: number, outcome: string, by: ActingAs, key = `test-${randomUUID()}`) =>
    claims.query<{ concludeSpecialInvestigation: Concluded | null }>(
      'mutation Conclude($input: ConcludeInvestigationInput!) { concludeSpecialInvestigation(input: $input) { reportNo status version } }',
      { input: { idempotencyKey: key, reportNo: claim.report_no, expectedVersion, outcome } },
      by,
    );

  /** The claim's finding as the auditor reads it (RESTRICTED/CREDIT: the adjusters read it masked, that is not at all). */
  async function finding(reportNo: string): Promise<Finding> {
    const response = await claims.query<{ claim: Finding }>(
      'query Finding($no: String!) { claim(reportNo: $no) { version specialInvestigation investigationOutcome investigationConcludedAt } }',
      { no: reportNo },
    );
    expect(response.errors).toBeUndefined();
    return response.data!.claim;
  }

  /** What the claims system recorded for insights about the claim's investigation. */
  const eventsOf = async (reportNo: string) =>
    (await claims.running
      .db(OUTBOX_TABLE)
      .where({ aggregate: `Claim:${reportNo}`, type: 'claim.investigation-concluded' })
      .orderBy('sequence')) as { sequence: number; payload: string }[];

  it('records a finding on a claim under investigation, by someone other than its handler, once, and tells insights in the same commit', async () => {
    // An open file the seed left under investigation, with a handler (the two-person rule needs one).
    const claim = seeded.find(
      (row) => row.special_investigation && row.investigation_outcome === null && OPEN.has(row.status) && row.handler_staff_id !== null,
    );
    if (!claim) throw new Error('no open claim under special investigation with a handler in the seed');
    expect(await finding(claim.report_no)).toEqual({ version: 1, specialInvestigation: true, investigationOutcome: null, investigationConcludedAt: null });

    // The handler may not conclude the investigation of their own file.
    const byHandler = await conclude(claim, 1, 'FRAUD_CONFIRMED', acting(staffMember(claim.handler_staff_id)));
    expect(byHandler.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN_ACTION', action: 'claim.investigation.conclude', reason: 'SECOND_PERSON' });
    expect(await finding(claim.report_no)).toMatchObject({ version: 1, investigationOutcome: null });

    const adjuster = acting(colleague(claim, 'CLAIMS_ADJUSTER'));
    const key = `test-${randomUUID()}`;
    const concluded = await conclude(claim, 1, 'FRAUD_CONFIRMED', adjuster, key);
    expect(concluded.errors).toBeUndefined();
    expect(concluded.data!.concludeSpecialInvestigation).toEqual({ reportNo: claim.report_no, status: claim.status, version: 2 });
    const after = await finding(claim.report_no);
    expect(after).toMatchObject({ version: 2, specialInvestigation: true, investigationOutcome: 'FRAUD_CONFIRMED' });
    expect(after.investigationConcludedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    // What insights is told: confirmed fraud of the customer's claim, when; delivered to insights alone.
    const [event, ...more] = await eventsOf(claim.report_no);
    expect(more).toEqual([]);
    const payload = JSON.parse(event!.payload) as { concludedAt: string };
    expect(payload).toEqual({ reportNo: claim.report_no, customerId: String(claim.customer_id), fraudConfirmed: true, concludedAt: expect.any(String) });
    expect(`${payload.concludedAt.slice(0, 19)}Z`).toBe(after.investigationConcludedAt);
    expect(await claims.running.db(DELIVERY_TABLE).where('sequence', event!.sequence).pluck('consumer')).toEqual(['insights']);

    // A retry with the same key answers the first result and writes nothing more.
    const retry = await conclude(claim, 1, 'FRAUD_CONFIRMED', adjuster, key);
    expect(retry.errors).toBeUndefined();
    expect(retry.data!.concludeSpecialInvestigation).toEqual(concluded.data!.concludeSpecialInvestigation);
    expect(await eventsOf(claim.report_no)).toHaveLength(1);

    // Concluded once: a second finding, even the other one on the current version, is refused, naming the claim.
    const again = await conclude(claim, 2, 'NO_FRAUD_FOUND', acting(colleague(claim, 'SERVICE_CENTER_MANAGER')));
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.reportNo' });
    expect(again.errors?.[0]?.message).toContain('already concluded');
    // The refusal does not tell the finding it keeps.
    expect(again.errors?.[0]?.message).not.toContain('FRAUD');
    expect(await finding(claim.report_no)).toMatchObject({ version: 2, investigationOutcome: 'FRAUD_CONFIRMED' });
    expect(await eventsOf(claim.report_no)).toHaveLength(1);
  });

  it('refuses a claim that is not under special investigation, and a stale version', async () => {
    const notInvestigated = seeded.find((row) => !row.special_investigation && row.handler_staff_id !== null)!;
    const refused = await conclude(notInvestigated, 1, 'NO_FRAUD_FOUND', acting(colleague(notInvestigated, 'CLAIMS_ADJUSTER')));
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.reportNo' });
    expect(refused.errors?.[0]?.message).toContain('not under');
    expect(await finding(notInvestigated.report_no)).toMatchObject({ version: 1, specialInvestigation: false, investigationOutcome: null });
    expect(await eventsOf(notInvestigated.report_no)).toEqual([]);

    // A file the seed closed with its investigation concluded: concluding it again is refused too.
    const concluded = seeded.find((row) => row.investigation_outcome !== null && row.handler_staff_id !== null)!;
    const twice = await conclude(concluded, 1, 'FRAUD_CONFIRMED', acting(colleague(concluded, 'SERVICE_CENTER_MANAGER')));
    expect(twice.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.reportNo' });
    expect(await finding(concluded.report_no)).toMatchObject({ version: 1, investigationOutcome: concluded.investigation_outcome });

    const stale = await conclude(concluded, 3, 'FRAUD_CONFIRMED', acting(colleague(concluded, 'SERVICE_CENTER_MANAGER')));
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', expectedVersion: 3, currentVersion: 1 });
  });
});
