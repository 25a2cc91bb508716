import { ConfigError, EnvReader, envPrefix, MANAGER_GRADES, type Environment, type ManagerGrade } from '@icg/shared';

/** The CRM's own thresholds for the customer-manager and blacklist workflows (DOMAIN.md marks them defaults, not constants). */
export interface CustomersSettings {
  /** 12-month written premium (yuan, consolidated over a corporate group) from which a customer is large. */
  largeCustomerPremiumYuan: number;
  /** The lowest grade a large customer's primary manager may have. */
  largeCustomerMinimumGrade: ManagerGrade;
  /** A month's visit report is due this many days after the month ends. */
  visitReportDueDays: number;
  /** A manager's yearly re-certification may be made this many days before it falls due. */
  recertificationNoticeDays: number;
  /** How often the CRM's schedule (expiring blacklist entries nobody reviewed) runs in the subgraph process; 0: never. */
  scheduleIntervalSeconds: number;
}

export const DEFAULT_CUSTOMERS_SETTINGS: CustomersSettings = {
  largeCustomerPremiumYuan: 1_000_000,
  largeCustomerMinimumGrade: 'PRINCIPAL',
  visitReportDueDays: 10,
  recertificationNoticeDays: 60,
  scheduleIntervalSeconds: 3_600,
};

const variable = (name: string): string => `${envPrefix('customers')}_${name}`;
export const LARGE_CUSTOMER_PREMIUM_VARIABLE = variable('LARGE_CUSTOMER_PREMIUM_YUAN');
export const LARGE_CUSTOMER_MINIMUM_GRADE_VARIABLE = variable('LARGE_CUSTOMER_MINIMUM_GRADE');
export const VISIT_REPORT_DUE_DAYS_VARIABLE = variable('VISIT_REPORT_DUE_DAYS');
export const RECERTIFICATION_NOTICE_DAYS_VARIABLE = variable('RECERTIFICATION_NOTICE_DAYS');
export const SCHEDULE_INTERVAL_VARIABLE = variable('SCHEDULE_INTERVAL_SECONDS');

/**
 * CUSTOMERS_LARGE_CUSTOMER_PREMIUM_YUAN (1–10^12), CUSTOMERS_LARGE_CUSTOMER_MINIMUM_GRADE (a grade),
 * CUSTOMERS_VISIT_REPORT_DUE_DAYS (0–31), CUSTOMERS_RECERTIFICATION_NOTICE_DAYS (0–180) and
 * CUSTOMERS_SCHEDULE_INTERVAL_SECONDS (0 to switch the schedule off, else 10–86400).
 */
export function loadCustomersSettings(env: Environment = process.env): CustomersSettings {
  const reader = new EnvReader(env);
  const defaults = DEFAULT_CUSTOMERS_SETTINGS;
  const scheduleIntervalSeconds = reader.int(SCHEDULE_INTERVAL_VARIABLE, defaults.scheduleIntervalSeconds, { min: 0, max: 86_400 });
  // 0 switches the schedule off; a few seconds would only load the store.
  if (scheduleIntervalSeconds > 0 && scheduleIntervalSeconds < 10)
    throw new ConfigError(SCHEDULE_INTERVAL_VARIABLE, `must be 0 (off) or at least 10, got ${scheduleIntervalSeconds}`);
  return {
    largeCustomerPremiumYuan: reader.int(LARGE_CUSTOMER_PREMIUM_VARIABLE, defaults.largeCustomerPremiumYuan, { min: 1, max: 1_000_000_000_000 }),
    largeCustomerMinimumGrade: reader.oneOf(LARGE_CUSTOMER_MINIMUM_GRADE_VARIABLE, MANAGER_GRADES, defaults.largeCustomerMinimumGrade),
    visitReportDueDays: reader.int(VISIT_REPORT_DUE_DAYS_VARIABLE, defaults.visitReportDueDays, { min: 0, max: 31 }),
    recertificationNoticeDays: reader.int(RECERTIFICATION_NOTICE_DAYS_VARIABLE, defaults.recertificationNoticeDays, { min: 0, max: 180 }),
    scheduleIntervalSeconds,
  };
}
