import { loadSubgraphConfig, startSubgraph } from '@icg/shared';
import { loadComplaintRules } from './deadlines';
import { createComplaintsSubgraph } from './server';

async function main(): Promise<void> {
  const running = await startSubgraph(createComplaintsSubgraph(loadComplaintRules()), loadSubgraphConfig('complaints'));
  const stop = () => {
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`complaints subgraph failed to close: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`complaints subgraph failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
