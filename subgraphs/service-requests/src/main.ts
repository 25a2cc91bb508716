import { loadSubgraphConfig, startSubgraph } from '@icg/shared';
import { serviceRequestsSubgraph } from './server';

async function main(): Promise<void> {
  const running = await startSubgraph(serviceRequestsSubgraph, loadSubgraphConfig('service-requests'));
  const shutdown = (): void => {
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('service-requests subgraph failed to close:', error instanceof Error ? error.message : error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error('service-requests subgraph failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
