import { loadSubgraphConfig, startSubgraph } from '@icg/shared';
import { policiesSubgraph } from './server';

async function main(): Promise<void> {
  const running = await startSubgraph(policiesSubgraph, loadSubgraphConfig('policies'));
  const stop = () => void running.close().then(() => process.exit(0), () => process.exit(1));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`policies subgraph failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
