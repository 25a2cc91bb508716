import './telemetry-off';
import { createLogger, exitOnTerminationSignals, loadGatewayConfig, startTracing } from '@icg/shared';
import { startGateway } from './gateway-server';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const logger = createLogger('gateway', config.logLevel);
  // Before the gateway starts, so its spans (and @apollo/gateway's) go to the configured collector.
  const tracing = startTracing({
    serviceName: 'icg-gateway',
    otlpEndpoint: config.observability?.otlpEndpoint,
    sampleRatio: config.observability?.traceSampleRatio,
  });
  const gateway = await startGateway(config, { logger });
  exitOnTerminationSignals(
    () => gateway.close().then(() => tracing.shutdown()),
    (signal) => logger.info({ signal }, 'stopping: draining requests in flight, then flushing the audit'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
