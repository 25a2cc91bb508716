export { runConformance, type ConformanceOptions } from './run-conformance';
export { formatConformanceReport, CHECK_GROUPS, type CheckGroup, type CheckResult, type ConformanceReport } from './conformance-report';
export type { EntityRepresentation, SampleKey } from './conformance-context';
export { leaksIn } from './check-no-leaks';
export { expectedAnswer } from './check-role-access';
