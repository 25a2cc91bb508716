import { EnvReader, runSubgraphProcess } from '@icg/shared';
import { createInsightsSubgraph } from './server';

// Read inside the factory, so a bad value is reported like any other configuration error. A day by default: the
// time-driven warnings (renewal due 60/30/15/7 days before, a complaint's deadline) move by the day.
runSubgraphProcess('insights', () =>
  createInsightsSubgraph({ recomputeIntervalSeconds: new EnvReader().int('INSIGHTS_RECOMPUTE_INTERVAL_SECONDS', 86_400, { min: 0 }) }),
);
