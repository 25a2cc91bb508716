import './telemetry-off';
import { createLogger, loadGatewayConfig } from '@icg/shared';
import { startGateway } from './gateway-server';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = createLogger('gateway', config.logLevel);
  const gateway = await startGateway(config, { logger });
  const stop = () => void gateway.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
