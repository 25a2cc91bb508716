import { CLAIM_STATUSES, isLuhnValid, isValidMobile, sqlTimestamp, type ClaimStatus } from '@icg/shared';
import { DEFAULT_AS_OF, generateCompanyBatch, generateOrg, type SeedBatch } from '@icg/synthetic';
import {
  CLAIM_CAUSES,
  CLAIM_CLOSED_OUTCOMES,
  CLAIM_PARTICIPANT_ROLES,
  CLAIM_PAYMENT_METHODS,
  CLAIM_REPORT_CHANNELS,
  SURVEY_TASK_STATUSES,
  type ClaimRow,
} from '../records';
import { elaborateClaims, type ClaimsTables } from '../seed';

const SEED = 77;
const CUSTOMERS = 2_000;
const org = generateOrg(SEED);
const batchOf = (first: number, last: number): SeedBatch =>
  generateCompanyBatch({ seed: SEED, asOf: DEFAULT_AS_OF, org, firstCustomerId: first, lastCustomerId: last });

const batch = batchOf(1, CUSTOMERS);
const tables = elaborateClaims(batch);
const asOf = sqlTimestamp(DEFAULT_AS_OF);

const byClaim = <Row extends { claim_id: number | string }>(rows: Row[]): Map<number, Row[]> => {
  const groups = new Map<number, Row[]>();
  for (const row of rows) groups.set(Number(row.claim_id), [...(groups.get(Number(row.claim_id)) ?? []), row]);
  return groups;
};
const paymentsOf = byClaim(tables.payments);
const participantsOf = byClaim(tables.participants);
const cents = (amount: number | string): number => Math.round(Number(amount) * 100);
const claimsWith = (statuses: readonly ClaimStatus[]): ClaimRow[] => tables.claims.filter((claim) => statuses.includes(claim.status));
const distinct = <T>(values: T[]): T[] => [...new Set(values)].sort();

describe('claims seeder', () => {
  it('elaborates the same rows for the same facts, however the customers are batched', () => {
    expect(elaborateClaims(batch)).toEqual(tables);
    const halves = [elaborateClaims(batchOf(1, 1_000)), elaborateClaims(batchOf(1_001, CUSTOMERS))];
    const joined = Object.fromEntries(Object.keys(tables).map((name) => [name, halves.flatMap((half): unknown[] => half[name as keyof ClaimsTables])]));
    expect(joined).toEqual(tables);
  });

  it('writes one claim per fact, with the facts unchanged', () => {
    expect(
      tables.claims.map((claim) => [claim.report_no, claim.status, claim.policy_no, claim.customer_id, claim.handler_staff_id, claim.branch_path]),
    ).toEqual(batch.claims.map((fact) => [fact.reportNo, fact.status, fact.policyNo, fact.customerId, fact.handlerStaffId, fact.branchPath]));
  });

  it('covers every value of every vocabulary', () => {
    expect(distinct(tables.claims.map((claim) => claim.status))).toEqual([...CLAIM_STATUSES].sort());
    expect(distinct(tables.claims.map((claim) => claim.cause))).toEqual([...CLAIM_CAUSES].sort());
    expect(distinct(tables.claims.map((claim) => claim.report_channel))).toEqual([...CLAIM_REPORT_CHANNELS].sort());
    expect(distinct(tables.claims.flatMap((claim) => (claim.closed_outcome ? [claim.closed_outcome] : [])))).toEqual([...CLAIM_CLOSED_OUTCOMES].sort());
    expect(distinct(tables.participants.map((participant) => participant.role))).toEqual([...CLAIM_PARTICIPANT_ROLES].sort());
    expect(distinct(tables.surveyTasks.map((task) => task.status))).toEqual([...SURVEY_TASK_STATUSES].sort());
    expect(distinct(tables.payments.map((payment) => payment.method))).toEqual([...CLAIM_PAYMENT_METHODS].sort());
    expect(distinct(tables.claims.map((claim) => claim.small_claim))).toEqual([false, true]);
  });

  it('scores most claims low and sends only the few high scores to special investigation', () => {
    const investigated = tables.claims.filter((claim) => claim.special_investigation);
    expect(investigated.length).toBeGreaterThan(0);
    expect(investigated.length / tables.claims.length).toBeLessThan(0.1);
    expect(investigated.every((claim) => claim.fraud_score >= 75)).toBe(true);
    expect(tables.claims.filter((claim) => claim.fraud_score < 35).length / tables.claims.length).toBeGreaterThan(0.8);
  });

  it('concludes the investigations of closed files only, confirming fraud in a few, mostly denied ones', () => {
    const concluded = tables.claims.filter((claim) => claim.investigation_outcome !== null);
    const confirmed = concluded.filter((claim) => claim.investigation_outcome === 'FRAUD_CONFIRMED');
    expect(confirmed.length).toBeGreaterThan(0);
    expect(concluded.length).toBeGreaterThan(confirmed.length);
    // Only investigated claims have a finding, only closed ones so far, concluded between the report and the closing.
    expect(concluded.filter((claim) => !claim.special_investigation || claim.closed_at === null || claim.status === 'REOPENED')).toEqual([]);
    for (const claim of concluded)
      expect([claim.report_no, claim.investigation_concluded_at! >= claim.reported_at && claim.investigation_concluded_at! <= claim.closed_at!]).toEqual([
        claim.report_no,
        true,
      ]);
    expect(tables.claims.filter((claim) => (claim.investigation_outcome === null) !== (claim.investigation_concluded_at === null))).toEqual([]);
    expect(confirmed.filter((claim) => claim.status === 'DENIED').length / confirmed.length).toBeGreaterThan(0.5);
    // A high score alone confirms nothing: most investigated claims have no finding of fraud.
    expect(confirmed.length / tables.claims.filter((claim) => claim.special_investigation).length).toBeLessThan(0.5);
  });

  it('keeps amounts consistent with each status', () => {
    for (const claim of tables.claims) {
      const paidOut = (paymentsOf.get(Number(claim.id)) ?? []).reduce((sum, payment) => sum + cents(payment.amount), 0);
      expect([claim.report_no, paidOut]).toEqual([claim.report_no, cents(claim.paid)]);
      expect(cents(claim.recoveries)).toBeLessThanOrEqual(cents(claim.paid));
    }
    for (const claim of claimsWith(['CLOSED', 'CANCELLED', 'WITHDRAWN', 'DENIED', 'ZERO_CLOSED']))
      expect([claim.report_no, claim.outstanding_reserve, claim.closed_at !== null]).toEqual([claim.report_no, 0, true]);
    for (const claim of claimsWith(['CANCELLED', 'WITHDRAWN', 'DENIED', 'ZERO_CLOSED']))
      expect([claim.report_no, claim.paid, claim.closed_outcome]).toEqual([claim.report_no, 0, claim.status]);
    for (const claim of claimsWith(['REPORTED', 'DISPATCHED', 'SURVEYED']))
      expect([claim.report_no, claim.paid, claim.outstanding_reserve, claim.registration_no]).toEqual([claim.report_no, 0, 0, null]);
    for (const claim of claimsWith(['REGISTERED', 'ASSESSED', 'DOCUMENTS_COMPLETE', 'ADJUSTED', 'APPROVED', 'REOPENED']))
      expect(Number(claim.outstanding_reserve)).toBeGreaterThan(0);
    for (const claim of claimsWith(['CLOSED', 'PAID', 'REOPENED'])) expect(Number(claim.paid)).toBeGreaterThan(0);
    for (const claim of claimsWith(['REOPENED']))
      expect([claim.closed_outcome, claim.reopened_at! > claim.closed_at!, claim.reopen_reason !== null]).toEqual(['PAID', true, true]);
  });

  it('issues unique registration numbers exactly to registered claims', () => {
    const registered = tables.claims.filter((claim) => claim.registered_at !== null);
    expect(tables.claims.filter((claim) => (claim.registration_no === null) !== (claim.registered_at === null))).toEqual([]);
    expect(new Set(registered.map((claim) => claim.registration_no)).size).toBe(registered.length);
  });

  it('dates everything between the loss and the generation date', () => {
    for (const claim of tables.claims) {
      const times = [claim.registered_at, claim.documents_completed_at, claim.adjusted_at, claim.approved_at, claim.closed_at, claim.reopened_at].filter(
        (time): time is string => time !== null,
      );
      expect(String(claim.reported_at).slice(0, 10) >= String(claim.loss_date)).toBe(true);
      expect(times.every((time) => time >= String(claim.reported_at) && time <= asOf)).toBe(true);
    }
    const childTimes = [
      ...tables.surveyTasks.flatMap((task) => [task.dispatched_at, task.on_site_at, task.completed_at]),
      ...tables.lossAssessments.map((assessment) => assessment.assessed_at),
      ...tables.payments.map((payment) => payment.paid_at),
    ].filter((time) => time !== null);
    expect(childTimes.every((time) => String(time) <= asOf)).toBe(true);
  });

  it('records surveyor contact within the time the surveyor took to arrive, mostly within 10 minutes', () => {
    const contacted = tables.surveyTasks.filter((task) => task.contacted_customer_within_minutes !== null);
    for (const task of contacted.filter((entry) => entry.on_site_at !== null)) {
      const minutesToArrive =
        (Date.parse(`${String(task.on_site_at).replace(' ', 'T')}Z`) - Date.parse(`${String(task.dispatched_at).replace(' ', 'T')}Z`)) / 60_000;
      expect(task.contacted_customer_within_minutes!).toBeLessThanOrEqual(minutesToArrive);
    }
    expect(contacted.filter((task) => task.contacted_customer_within_minutes! <= 10).length / contacted.length).toBeGreaterThan(0.8);
  });

  it('records injuries for injury and illness claims, and for no one uninjured', () => {
    for (const claim of tables.claims.filter((entry) => entry.cause === 'INJURY' || entry.cause === 'ILLNESS')) {
      const injured = (participantsOf.get(Number(claim.id)) ?? []).filter((participant) => participant.role === 'INJURED');
      expect([claim.report_no, injured.length]).toEqual([claim.report_no, 1]);
      expect(injured[0]!.injury_description).toBeTruthy();
      expect(injured[0]!.medical_details).toMatch(/医疗费用合计[\d,]+\.\d{2}元/);
    }
    expect(
      tables.participants.filter(
        (participant) => participant.role !== 'INJURED' && (participant.injury_description !== null || participant.medical_details !== null),
      ),
    ).toEqual([]);
  });

  it('writes injuries and illness into the HEALTH narrative only, never into the loss description', () => {
    for (const claim of tables.claims) {
      const injured = (participantsOf.get(Number(claim.id)) ?? []).find((participant) => participant.role === 'INJURED');
      expect([claim.report_no, claim.injury_narrative !== null]).toEqual([claim.report_no, injured !== undefined]);
      if (!injured) continue;
      expect(claim.injury_narrative).toContain(injured.injury_description);
      expect(claim.loss_description).not.toContain(injured.injury_description);
    }
  });

  it('generates valid mobiles, bank accounts and Chinese names', () => {
    expect(tables.participants.filter((participant) => participant.mobile !== null && !isValidMobile(participant.mobile))).toEqual([]);
    expect(tables.payments.filter((payment) => !/^62\d{17}$/.test(payment.payee_account) || !isLuhnValid(payment.payee_account))).toEqual([]);
    expect(
      [...tables.participants.map((participant) => participant.name), ...tables.payments.map((payment) => payment.payee_name)].filter(
        (name) => !/^[\u4e00-\u9fff（）()]{2,}$/.test(name),
      ),
    ).toEqual([]);
    const claimant = tables.participants.find((participant) => participant.role === 'CLAIMANT')!;
    const customer = batch.customers.find((entry) => entry.id === tables.claims.find((claim) => claim.id === claimant.claim_id)!.customer_id)!;
    expect([claimant.name, claimant.mobile]).toEqual([customer.name, customer.mobile]);
  });

  it('gives every child row an id of its own', () => {
    for (const rows of [tables.participants, tables.surveyTasks, tables.lossAssessments, tables.payments])
      expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
  });
});
