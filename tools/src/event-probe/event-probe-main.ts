/**
 * One probe subgraph as its own process (tests kill it with SIGKILL; benchmarks measure it), configured
 * from the environment like any subgraph: `node tools/dist/event-probe/event-probe-main.js sender|receiver
 * [--crash-after-commit]`. Prints one JSON line with its URL once listening.
 */
import { exitOnTerminationSignals, loadSubgraphConfig, startSubgraph } from '@icg/shared';
import { PROBE_EVENT_TYPES, probeReceiverSubgraph, probeSenderSubgraph } from './event-probe';

async function main(): Promise<void> {
  const [role, ...flags] = process.argv.slice(2);
  if (role !== 'sender' && role !== 'receiver') throw new Error('usage: event-probe-main.js sender|receiver [--crash-after-commit]');
  const manifest = role === 'sender' ? probeSenderSubgraph({ crashAfterCommit: flags.includes('--crash-after-commit') }) : probeReceiverSubgraph();
  const config = loadSubgraphConfig(manifest, process.env, PROBE_EVENT_TYPES);
  const running = await startSubgraph(manifest, config, { eventCatalog: PROBE_EVENT_TYPES });
  await running.ready;
  process.stdout.write(`${JSON.stringify({ url: running.url, subgraph: running.name })}\n`);
  exitOnTerminationSignals(() => running.close());
}

main().catch((error: unknown) => {
  process.stderr.write(`event probe failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
