import { join } from 'node:path';
import { defineSubgraph, loadSubgraphTypeDefs, type ScheduledJob } from '@icg/shared';
import { entities } from './entities';
import { insightsEventHandlers } from './insights-event-handlers';
import { createLoaders } from './loaders';
import { migrations } from './migrations';
import { lastFullRecompute } from './read-model';
import { recomputeAll } from './refresh';
import { resolvers } from './resolvers';
import type { InsightRules } from './rules';
import { insightRules } from './rules-in-force';

export { insightRules } from './rules-in-force';

export interface InsightsSettings {
  /** Seconds between full recomputations (time-driven findings: renewal due, complaint deadlines); 0: on demand only. */
  recomputeIntervalSeconds: number;
}

/**
 * Every customer's insight and warnings recomputed as of now, from the read model (no other system is read). Due an
 * interval after the last full recompute, whoever ran it (this job before a restart, `insights:refresh`): a restart
 * does not recompute 100,000 customers again beside a refresh that just did.
 */
export function recomputeJob(rules: InsightRules, intervalSeconds: number): ScheduledJob {
  const intervalMs = intervalSeconds * 1_000;
  return {
    name: 'insights-recompute',
    intervalMs,
    dueInMs: async ({ db, clock }) => {
      const last = await lastFullRecompute(db);
      return last === null ? 0 : last.getTime() + intervalMs - clock.now().getTime();
    },
    run: async ({ db, clock, transaction }) => ({
      customers: await recomputeAll(
        db,
        rules,
        clock.now(),
        () => undefined,
        (body) => transaction((trx, changes) => body(trx, (change) => changes.record(change))),
      ),
    }),
  };
}

/** The insights system as a subgraph: owns EarlyWarning and adds `insight` and `earlyWarnings` to Customer. */
export function createInsightsSubgraph(settings: InsightsSettings) {
  return defineSubgraph({
    name: 'insights',
    defaultPort: 4006,
    schema: loadSubgraphTypeDefs(join(__dirname, '..', 'schema.graphql')),
    resolvers,
    migrations,
    createLoaders,
    entities,
    eventHandlers: insightsEventHandlers(insightRules),
    scheduledJobs: [recomputeJob(insightRules, settings.recomputeIntervalSeconds)],
  });
}

/**
 * The manifest the registry lists (tests, benchmarks, composition): in-process, the recomputation runs only when asked
 * (`jobs.runNow`), so nothing moves behind a test's back; `npm start` runs main.ts, which reads the settings.
 */
export const insightsSubgraph = createInsightsSubgraph({ recomputeIntervalSeconds: 0 });
