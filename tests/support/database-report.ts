/**
 * What the integration suites report to .ci/run through ICG_TEST_REPORT, one word a line: the dialects
 * they ran on (`sqlite`, `mysql`, written by test-database.ts) and the event transports (`http`, `nats`),
 * so CI fails when a suite it requires did not run.
 */
import { appendFileSync } from 'node:fs';

export type ReportedSuite = 'sqlite' | 'mysql' | 'http' | 'nats';

export function reportSuiteRan(suite: ReportedSuite): void {
  const report = process.env.ICG_TEST_REPORT;
  if (report) appendFileSync(report, `${suite}\n`);
}
