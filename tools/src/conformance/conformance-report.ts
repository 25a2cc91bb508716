/** What the conformance suite reports: one line per check, each passed or failed with a reason. */

export const CHECK_GROUPS = ['identity', 'service-sdl', 'entities', 'role-access', 'no-leaks', 'health'] as const;
export type CheckGroup = (typeof CHECK_GROUPS)[number];

export interface CheckResult {
  group: CheckGroup;
  name: string;
  passed: boolean;
  /** Why it passed (what was observed) or why it failed (what was expected and what came back). */
  reason: string;
}

export interface ConformanceReport {
  subgraph: string;
  url: string;
  checks: CheckResult[];
  passed: boolean;
}

export function passed(group: CheckGroup, name: string, reason: string): CheckResult {
  return { group, name, passed: true, reason };
}

export function failed(group: CheckGroup, name: string, reason: string): CheckResult {
  return { group, name, passed: false, reason };
}

/** A check that could not run to completion (the subgraph unreachable, a prerequisite missing) fails. */
export function errorMessageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Plain text for a terminal or a CI log: the failures are repeated at the end, so they are the last thing read. */
export function formatConformanceReport(report: ConformanceReport): string {
  const line = (check: CheckResult) => `${check.passed ? 'PASS' : 'FAIL'}  [${check.group}] ${check.name}: ${check.reason}`;
  const failures = report.checks.filter((check) => !check.passed);
  const lines = [`Conformance of subgraph "${report.subgraph}" at ${report.url}`, ...report.checks.map(line), ''];
  if (failures.length === 0) {
    lines.push(`All ${report.checks.length} checks passed.`);
  } else {
    lines.push(`${failures.length} of ${report.checks.length} checks failed:`, ...failures.map(line));
  }
  return lines.join('\n');
}
