import { GraphQLError } from 'graphql';
import { findProduct } from '../catalog';
import { clockTransition } from '../policy-clock-job';
import { parseCoverPeriod, parseMoney } from '../policy-input';
import { loadPolicySettings } from '../policy-settings';
import { renewedCoverages } from '../policy-writes';
import type { CoverageRow, PolicyRow } from '../records';
import { dueOffset, reminderDueAt, reminderId } from '../renewal-reminder-job';
import { standardCoverages } from '../standard-coverages';

const badInput = (run: () => unknown): Record<string, unknown> => {
  try {
    run();
  } catch (error) {
    if (error instanceof GraphQLError) return { ...error.extensions };
    throw error;
  }
  throw new Error('expected BAD_USER_INPUT');
};

describe('renewal reminder timing', () => {
  it('falls due at 09:00 Beijing time 60, 30, 15 and 7 days before expiry', () => {
    expect(reminderDueAt('2027-03-31', 60).toISOString()).toBe('2027-01-30T01:00:00.000Z');
    expect(reminderDueAt('2027-03-31', 7).toISOString()).toBe('2027-03-24T01:00:00.000Z');
  });

  it('is the latest offset due, none before the first or from the expiry date on', () => {
    expect(dueOffset('2027-03-31', new Date('2027-01-30T00:59:59Z'))).toBeNull();
    expect(dueOffset('2027-03-31', new Date('2027-01-30T01:00:00Z'))).toBe(60);
    expect(dueOffset('2027-03-31', new Date('2027-03-16T01:00:00Z'))).toBe(15);
    expect(dueOffset('2027-03-31', new Date('2027-03-30T23:59:59Z'))).toBe(7);
    expect(dueOffset('2027-03-31', new Date('2027-03-31T00:00:00Z'))).toBeNull();
  });

  it('numbers a reminder by its policy and offset, as the seed does', () => {
    expect([60, 30, 15, 7].map((days) => reminderId('900000000001', days))).toEqual([90000000000101, 90000000000102, 90000000000103, 90000000000104]);
    expect(() => reminderId('1', 45)).toThrow('45 days');
  });
});

describe('quote input', () => {
  const field = (name: string) => `input.${name}`;

  it('takes money in yuan and fen, above zero', () => {
    expect(parseMoney(19.99, 'input.sumInsured')).toBe(19.99);
    expect(badInput(() => parseMoney(0, 'input.sumInsured'))).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.sumInsured' });
    expect(badInput(() => parseMoney(1.005, 'input.writtenPremium'))).toMatchObject({
      argumentName: 'input.writtenPremium',
      reason: expect.stringContaining('two decimal'),
    });
    expect(badInput(() => parseMoney(Number.NaN, 'input.writtenPremium'))).toMatchObject({ argumentName: 'input.writtenPremium' });
    expect(badInput(() => parseMoney(1e14, 'input.sumInsured'))).toMatchObject({ argumentName: 'input.sumInsured' });
  });

  it('covers a year from a start today or later, within limits', () => {
    expect(parseCoverPeriod({ effectiveDate: '2028-02-29' }, '2028-02-01', field)).toEqual({ effectiveDate: '2028-02-29', expiryDate: '2029-03-01' });
    expect(parseCoverPeriod({ effectiveDate: '2027-01-10', expiryDate: '2027-07-10' }, '2027-01-01', field)).toEqual({
      effectiveDate: '2027-01-10',
      expiryDate: '2027-07-10',
    });
    expect(badInput(() => parseCoverPeriod({ effectiveDate: '2026-12-31' }, '2027-01-01', field))).toMatchObject({ argumentName: 'input.effectiveDate' });
    expect(badInput(() => parseCoverPeriod({ effectiveDate: '2027-02-29' }, '2027-01-01', field))).toMatchObject({ argumentName: 'input.effectiveDate' });
    expect(badInput(() => parseCoverPeriod({ effectiveDate: '2027-01-10', expiryDate: '2027-01-10' }, '2027-01-01', field))).toMatchObject({
      argumentName: 'input.expiryDate',
    });
    expect(badInput(() => parseCoverPeriod({ effectiveDate: '2027-01-10', expiryDate: '2031-01-10' }, '2027-01-01', field))).toMatchObject({
      argumentName: 'input.expiryDate',
    });
  });
});

describe('covers', () => {
  it('a quote carries the mandatory covers, sharing the premium to the fen', () => {
    const product = findProduct('MOT-PRV')!;
    const covers = standardCoverages(product, 150_000, 3_456.78);
    expect(covers.map((cover) => cover.code)).toEqual(['MVD', 'MTP', 'MDR', 'MPA']);
    expect(covers.reduce((sum, cover) => sum + Math.round(cover.premium * 100), 0)).toBe(345_678);
    expect(covers[0]).toMatchObject({ sumInsured: 150_000, deductible: 0 });
  });

  it('a renewal keeps its covers and shares the new premium in their proportions', () => {
    const prior: CoverageRow[] = [
      { id: 1, policy_id: 9, code: 'A', name: 'a', sum_insured: '1000.00', premium: '300.00', deductible: '0.00' },
      { id: 2, policy_id: 9, code: 'B', name: 'b', sum_insured: '500.00', premium: '100.00', deductible: '50.00' },
    ];
    expect(renewedCoverages(prior, 1_000.01)).toEqual([
      { code: 'A', name: 'a', sumInsured: 1000, premium: 750.01, deductible: 0 },
      { code: 'B', name: 'b', sumInsured: 500, premium: 250, deductible: 50 },
    ]);
  });
});

describe('the policy clock', () => {
  const policy = (overrides: Partial<PolicyRow>): PolicyRow => ({
    id: 1,
    policy_no: 'PMO900000000001',
    customer_id: 7,
    product_code: 'MOT-PRV',
    product_name: 'x',
    line_of_business: 'MOTOR',
    status: 'IN_FORCE',
    channel: 'DIRECT',
    effective_date: '2027-01-01',
    expiry_date: '2028-01-01',
    quoted_at: '2026-12-20 01:00:00',
    bound_at: '2026-12-21 01:00:00',
    terminated_at: null,
    termination_reason: null,
    sum_insured: 1,
    written_premium: 1,
    payment_status: 'PAID',
    arrears_days: 0,
    prior_policy_no: null,
    branch_id: 9,
    branch_path: '/1/2/9/',
    servicing_manager_staff_id: null,
    customer_manager_staff_id: null,
    version: 2,
    premium_due_since: null,
    ...overrides,
  });

  it('puts a bound policy in force on its effective date', () => {
    expect(clockTransition(policy({ status: 'BOUND' }), '2026-12-31', 60, false)).toBeNull();
    expect(clockTransition(policy({ status: 'BOUND' }), '2027-01-01', 60, false)?.status).toBe('IN_FORCE');
  });

  it('lapses an unpaid policy when the grace period has run out, dated the day it ran out', () => {
    const unpaid = policy({ payment_status: 'UNPAID', premium_due_since: '2027-01-01' });
    expect(clockTransition(unpaid, '2027-03-01', 60, false)).toBeNull();
    expect(clockTransition(unpaid, '2027-03-05', 60, false)).toMatchObject({
      status: 'LAPSED',
      changes: { terminated_at: '2027-03-02 00:00:00', termination_reason: 'NON_PAYMENT', arrears_days: 60 },
    });
    expect(clockTransition(policy({ premium_due_since: '2027-01-01' }), '2027-06-01', 60, false)).toBeNull();
  });

  it('ends a term as renewed when the renewal is bound, else as expired', () => {
    expect(clockTransition(policy({}), '2027-12-31', 60, true)).toBeNull();
    expect(clockTransition(policy({}), '2028-01-01', 60, true)?.status).toBe('RENEWED');
    expect(clockTransition(policy({}), '2028-01-01', 60, false)?.status).toBe('EXPIRED');
  });
});

describe('policy settings', () => {
  it('reads the grace period and the schedule interval, naming a bad value', () => {
    expect(loadPolicySettings({})).toEqual({ gracePeriodDays: 60, scheduleIntervalSeconds: 3_600 });
    expect(loadPolicySettings({ POLICIES_GRACE_PERIOD_DAYS: '30', POLICIES_SCHEDULE_INTERVAL_SECONDS: '0' })).toEqual({
      gracePeriodDays: 30,
      scheduleIntervalSeconds: 0,
    });
    expect(() => loadPolicySettings({ POLICIES_SCHEDULE_INTERVAL_SECONDS: '5' })).toThrow('POLICIES_SCHEDULE_INTERVAL_SECONDS');
    expect(() => loadPolicySettings({ POLICIES_GRACE_PERIOD_DAYS: 'sixty' })).toThrow('POLICIES_GRACE_PERIOD_DAYS');
  });
});
