import { median, percentile } from '../paired-rounds';

/** The three stacks compared, in the order the report lists them. */
export const STACK_NAMES = ['project', 'plain', 'reference'] as const;
export type StackName = (typeof STACK_NAMES)[number];

/** Process groups whose CPU time is read: each stack's own servers, the database server, the load generator. */
export const CPU_GROUPS = ['gateway', 'plain gateway', 'subgraphs', 'reference', 'MariaDB', 'load generator'] as const;
/** A group, or one subgraph's process (`subgraph:customers`), read beside the `subgraphs` group they add up to. */
export type CpuGroup = (typeof CPU_GROUPS)[number] | `subgraph:${string}`;

export const subgraphCpuGroup = (name: string): CpuGroup => `subgraph:${name}`;
const isSubgraphGroup = (group: string): group is `subgraph:${string}` => group.startsWith('subgraph:');

/** The groups that do a stack's work (MariaDB only on MariaDB; the load generator is reported apart). */
export const STACK_CPU_GROUPS: Readonly<Record<StackName, readonly CpuGroup[]>> = {
  project: ['gateway', 'subgraphs', 'MariaDB'],
  plain: ['plain gateway', 'subgraphs', 'MariaDB'],
  reference: ['reference', 'MariaDB'],
};

/** One stack's round of one set. */
export interface RoundMeasurement {
  set: number;
  stack: StackName;
  completed: number;
  failed: number;
  firstFailure: string | undefined;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU ms per group over the round (and the pause after it, in which the last audit batch is written). */
  cpuMs: Readonly<Partial<Record<CpuGroup, number>>>;
  /** MariaDB's Com_select delta over the round: every client's SELECTs. */
  serverSelects: number | undefined;
  /** SELECTs the subgraph processes sent over the round, counted in each process (mysql2's diagnostics channel). */
  subgraphSelects: number | undefined;
  /** The reference server's own count of its statements over the round (its rounds only; all are SELECTs). */
  referenceStatements: number | undefined;
  /** Most other clients' sessions seen running a statement at the round's start or end. */
  busyForeignSessions: number | undefined;
}

export interface StackSummary {
  stack: StackName;
  /** Medians over the sets. */
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuPerRequestMs: Partial<Record<CpuGroup, number>>;
  /** The stack's groups together (not the load generator). */
  totalCpuPerRequestMs: number;
  /**
   * SELECTs per request counted at the source: the subgraph processes' own counts less their background
   * (`subgraphBackgroundSelectsPerSecond`) for the federated stacks, the reference's own count for the reference.
   */
  selectsPerRequest: number | undefined;
  /** MariaDB's global Com_select per request: the cross-check, other clients included. */
  serverSelectsPerRequest: number | undefined;
  completed: number;
  failed: number;
  firstFailure: string | undefined;
}

export function roundMeasurement(base: Omit<RoundMeasurement, 'p50Ms' | 'p99Ms'>, latenciesMs: readonly number[]): RoundMeasurement {
  return {
    ...base,
    p50Ms: latenciesMs.length ? percentile(latenciesMs, 0.5) : Number.NaN,
    p99Ms: latenciesMs.length ? percentile(latenciesMs, 0.99) : Number.NaN,
  };
}

const medianOf = (values: readonly number[]): number | undefined => {
  const finite = values.filter((value) => Number.isFinite(value));
  return finite.length ? median(finite) : undefined;
};

/** Medians over the sets of each figure of one stack; CPU and SQL per request from each round's deltas. */
/**
 * SELECTs per second the subgraph processes send while no request reaches them (their outbox relays and scheduled
 * jobs): their count during the reference's rounds, median over those rounds; undefined without counters.
 */
export function subgraphBackgroundSelectsPerSecond(rounds: readonly RoundMeasurement[]): number | undefined {
  return medianOf(
    rounds.filter((round) => round.stack === 'reference' && round.subgraphSelects !== undefined).map((round) => round.subgraphSelects! / round.seconds),
  );
}

export function summariseStack(rounds: readonly RoundMeasurement[], stack: StackName, groups: readonly CpuGroup[], backgroundPerSecond?: number): StackSummary {
  const own = rounds.filter((round) => round.stack === stack && round.completed > 0);
  const perRequest = (value: (round: RoundMeasurement) => number | undefined) =>
    medianOf(own.map((round) => value(round)).filter((entry): entry is number => entry !== undefined));
  const cpuPerRequestMs: Partial<Record<CpuGroup, number>> = {};
  const subgraphGroups = groups.includes('subgraphs') ? [...new Set(own.flatMap((round) => Object.keys(round.cpuMs).filter(isSubgraphGroup)))] : [];
  for (const group of [...groups, 'load generator' as const, ...subgraphGroups]) {
    const value = perRequest((round) => (round.cpuMs[group] === undefined ? undefined : round.cpuMs[group]! / round.completed));
    if (value !== undefined) cpuPerRequestMs[group] = value;
  }
  return {
    stack,
    requestsPerSecond: medianOf(own.map((round) => round.completed / round.seconds)) ?? 0,
    p50Ms: medianOf(own.map((round) => round.p50Ms)) ?? Number.NaN,
    p99Ms: medianOf(own.map((round) => round.p99Ms)) ?? Number.NaN,
    cpuPerRequestMs,
    totalCpuPerRequestMs: perRequest((round) => groups.reduce((sum, group) => sum + (round.cpuMs[group] ?? 0), 0) / round.completed) ?? Number.NaN,
    selectsPerRequest:
      stack === 'reference'
        ? perRequest((round) => (round.referenceStatements === undefined ? undefined : round.referenceStatements / round.completed))
        : perRequest((round) =>
            round.subgraphSelects === undefined || backgroundPerSecond === undefined
              ? undefined
              : Math.max(0, round.subgraphSelects - backgroundPerSecond * round.seconds) / round.completed,
          ),
    serverSelectsPerRequest: perRequest((round) => (round.serverSelects === undefined ? undefined : round.serverSelects / round.completed)),
    completed: rounds.filter((round) => round.stack === stack).reduce((sum, round) => sum + round.completed, 0),
    failed: rounds.filter((round) => round.stack === stack).reduce((sum, round) => sum + round.failed, 0),
    firstFailure: rounds.find((round) => round.stack === stack && round.firstFailure !== undefined)?.firstFailure,
  };
}

/** Per set, `numerator`'s throughput over `denominator`'s in the same set (adjacent rounds, so load drift largely cancels). */
export function perSetThroughputRatios(rounds: readonly RoundMeasurement[], numerator: StackName, denominator: StackName): number[] {
  const sets = [...new Set(rounds.map((round) => round.set))].sort((a, b) => a - b);
  const ratios: number[] = [];
  for (const set of sets) {
    const top = rounds.find((round) => round.set === set && round.stack === numerator);
    const bottom = rounds.find((round) => round.set === set && round.stack === denominator);
    if (top && bottom && bottom.completed > 0) ratios.push(top.completed / top.seconds / (bottom.completed / bottom.seconds));
  }
  return ratios;
}

/** The order of the stacks in set `set` (from 1): rotated each set, so no stack always follows the same one. */
export function stackOrder(set: number): StackName[] {
  const shift = (set - 1) % STACK_NAMES.length;
  return [...STACK_NAMES.slice(shift), ...STACK_NAMES.slice(0, shift)];
}
