import { loadSubgraphConfig, startSubgraph } from '@icg/shared';
import { customersSubgraph } from './server';

async function main(): Promise<void> {
  const running = await startSubgraph(customersSubgraph, loadSubgraphConfig('customers'));
  const shutDown = () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutDown);
  process.once('SIGTERM', shutDown);
}

main().catch((error: unknown) => {
  // Start-up failures are configuration or port problems; their messages hold no personal data.
  console.error(`customers subgraph failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
