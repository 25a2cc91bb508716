import { ConfigError } from '@icg/shared';
import { approvingLevel, meetsGrade, primaryManagerMachine, primaryManagerStateOf } from '../customer-managers';
import { DEFAULT_CUSTOMERS_SETTINGS, loadCustomersSettings } from '../customers-settings';
import {
  aYearAfter,
  certificationDueDate,
  certificationStatus,
  lastEndedMonth,
  visitReportDueDate,
  visitReportLate,
  visitReportOverdue,
} from '../manager-deadlines';

const at = (iso: string): Date => new Date(iso);

describe('visit report deadlines', () => {
  it('falls due the configured number of days after the month ends, across year ends and leap years', () => {
    expect(visitReportDueDate('2026-11', 10)).toBe('2026-12-10');
    expect(visitReportDueDate('2026-12', 10)).toBe('2027-01-10');
    expect(visitReportDueDate('2028-02', 0)).toBe('2028-02-29');
    expect(visitReportDueDate('2027-02', 3)).toBe('2027-03-03');
  });

  it('reports on the month that ended last', () => {
    expect(lastEndedMonth(at('2026-12-01T00:00:00Z'))).toBe('2026-11');
    expect(lastEndedMonth(at('2027-01-31T23:59:59Z'))).toBe('2026-12');
  });

  it('is overdue from the day after the due day, only while nothing was submitted', () => {
    expect(visitReportOverdue('2026-11', 10, false, at('2026-12-10T23:59:59Z'))).toBe(false);
    expect(visitReportOverdue('2026-11', 10, false, at('2026-12-11T00:00:00Z'))).toBe(true);
    expect(visitReportOverdue('2026-11', 10, true, at('2027-03-01T00:00:00Z'))).toBe(false);
    expect(visitReportLate('2026-11', 10, at('2026-12-10T18:00:00Z'))).toBe(false);
    expect(visitReportLate('2026-11', 10, at('2026-12-11T08:00:00Z'))).toBe(true);
  });
});

describe('yearly re-certification', () => {
  it('falls due a year after the last certification (29 February: 28 February)', () => {
    expect(certificationDueDate('2026-01-12')).toBe('2027-01-12');
    expect(aYearAfter('2028-02-29')).toBe('2029-02-28');
    expect(certificationDueDate(null)).toBeNull();
  });

  it('is CERTIFIED until the notice period, DUE within it, OVERDUE from the due day; never certified is DUE', () => {
    // Due 2027-01-12; 60 days before is 2026-11-13.
    expect(certificationStatus('2026-01-12', 60, at('2026-11-12T23:59:59Z'))).toBe('CERTIFIED');
    expect(certificationStatus('2026-01-12', 60, at('2026-11-13T00:00:00Z'))).toBe('DUE');
    expect(certificationStatus('2026-01-12', 60, at('2027-01-11T23:59:59Z'))).toBe('DUE');
    expect(certificationStatus('2026-01-12', 60, at('2027-01-12T00:00:00Z'))).toBe('OVERDUE');
    expect(certificationStatus(null, 60, at('2026-11-01T00:00:00Z'))).toBe('DUE');
  });
});

describe('grades and the primary manager', () => {
  it('has senior and principal approved by a provincial branch, the other grades by a city branch', () => {
    expect(approvingLevel('SENIOR', 'CITY')).toBe('PROVINCE');
    expect(approvingLevel('PRINCIPAL', 'CITY')).toBe('PROVINCE');
    for (const grade of ['REGULAR', 'JUNIOR', 'TRAINEE'] as const) expect(approvingLevel(grade, 'CITY')).toBe('CITY');
    // A manager of a provincial branch has no city branch above them: their own branch's level approves.
    expect(approvingLevel('REGULAR', 'PROVINCE')).toBe('PROVINCE');
  });

  it('ranks grades highest first', () => {
    expect(meetsGrade('SENIOR', 'PRINCIPAL')).toBe(true);
    expect(meetsGrade('PRINCIPAL', 'PRINCIPAL')).toBe(true);
    expect(meetsGrade('REGULAR', 'PRINCIPAL')).toBe(false);
    expect(meetsGrade('TRAINEE', 'TRAINEE')).toBe(true);
  });

  it('assigns only when nobody is primary, transfers and releases only when someone is', () => {
    expect(primaryManagerStateOf(undefined)).toBe('UNASSIGNED');
    expect(primaryManagerStateOf({ started_by: null })).toBe('ASSIGNED');
    expect(primaryManagerStateOf({ started_by: 'TRANSFERRED' })).toBe('TRANSFERRED');
    expect(primaryManagerMachine.next('UNASSIGNED')).toEqual(['ASSIGNED']);
    expect(primaryManagerMachine.canTransition('ASSIGNED', 'ASSIGNED')).toBe(false);
    expect(primaryManagerMachine.next('TRANSFERRED')).toEqual(['TRANSFERRED', 'UNASSIGNED']);
  });
});

describe('CRM settings', () => {
  it('defaults to ¥1 million for a large customer, principal grade, reports 10 days after month end', () => {
    expect(loadCustomersSettings({})).toEqual(DEFAULT_CUSTOMERS_SETTINGS);
    expect(DEFAULT_CUSTOMERS_SETTINGS).toMatchObject({ largeCustomerPremiumYuan: 1_000_000, largeCustomerMinimumGrade: 'PRINCIPAL', visitReportDueDays: 10 });
  });

  it('reads each setting and names a bad one', () => {
    expect(loadCustomersSettings({ CUSTOMERS_LARGE_CUSTOMER_MINIMUM_GRADE: 'SENIOR', CUSTOMERS_VISIT_REPORT_DUE_DAYS: '5' })).toMatchObject({
      largeCustomerMinimumGrade: 'SENIOR',
      visitReportDueDays: 5,
    });
    expect(() => loadCustomersSettings({ CUSTOMERS_LARGE_CUSTOMER_MINIMUM_GRADE: 'BOSS' })).toThrow(ConfigError);
    expect(() => loadCustomersSettings({ CUSTOMERS_LARGE_CUSTOMER_PREMIUM_YUAN: 'lots' })).toThrow(/CUSTOMERS_LARGE_CUSTOMER_PREMIUM_YUAN/);
    expect(() => loadCustomersSettings({ CUSTOMERS_SCHEDULE_INTERVAL_SECONDS: '3' })).toThrow(/CUSTOMERS_SCHEDULE_INTERVAL_SECONDS/);
  });
});
