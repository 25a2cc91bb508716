import './telemetry-off';
import { createLogger, loadGatewayConfig, runServerProcesses, startTracing } from '@icg/shared';
import { ClusterCallerLimiter, callerLimitsForWorkers } from './cluster-caller-limits';
import { startGateway } from './gateway-server';

let config: ReturnType<typeof loadGatewayConfig>;
try {
  config = loadGatewayConfig();
} catch (error) {
  process.stderr.write(`gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
const logger = createLogger('gateway', config.logLevel);

runServerProcesses({
  name: 'gateway',
  workers: config.workers ?? 1,
  logger,
  // One caller's limits hold across all the workers, wherever its connections land.
  primaryServices: config.callerLimits ? [callerLimitsForWorkers(config.callerLimits)] : [],
  start: async (slot) => {
    // Before the gateway starts, so its spans (and @apollo/gateway's) go to the configured collector.
    const tracing = startTracing({
      serviceName: 'icg-gateway',
      otlpEndpoint: config.observability?.otlpEndpoint,
      sampleRatio: config.observability?.traceSampleRatio,
    });
    const gateway = await startGateway(config, {
      logger: slot.count > 1 ? logger.child({ worker: slot.index }) : logger,
      ...(slot.channel ? { callerLimiter: new ClusterCallerLimiter(slot.channel) } : {}),
    });
    return { close: () => gateway.close().then(() => tracing.shutdown()) };
  },
  onStopSignal: (signal) => logger.info({ signal }, 'stopping: draining requests in flight, then flushing the audit'),
});
