import { loadSubgraphConfig, startSubgraph, type RunningSubgraph } from '@icg/shared';
import { claimsSubgraph } from './server';

async function main(): Promise<void> {
  const running: RunningSubgraph = await startSubgraph(claimsSubgraph, loadSubgraphConfig('claims'));
  const shutdown = (): void => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error('claims subgraph failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
