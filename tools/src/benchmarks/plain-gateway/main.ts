import './telemetry-off';
import { exitOnTerminationSignals, loadGatewayConfig } from '@icg/shared';
import { startPlainGateway } from './plain-gateway';

/** The plain gateway as its own process, configured like the project's gateway (HOST, PORT, SUPERGRAPH_PATH, <NAME>_PORT, tokens, assertion key). */
async function main(): Promise<void> {
  const gateway = await startPlainGateway(loadGatewayConfig());
  process.stderr.write(`plain gateway listening on ${gateway.url}\n`);
  exitOnTerminationSignals(() => gateway.close());
}

main().catch((error: unknown) => {
  process.stderr.write(`plain gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
