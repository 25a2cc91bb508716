/**
 * `/metrics` of a service run as several workers: whichever worker a scrape reaches answers for all of them, so a
 * counter does not jump between one worker's count and another's. prom-client's AggregatorRegistry gathers each
 * worker's registry in the primary (summing counters and histograms).
 */
import { AggregatorRegistry, type Registry } from 'prom-client';
import { workerChannel, type PrimaryServices } from './primary-channel';

const CLUSTER_METRICS_REQUEST = 'metrics/cluster';
/** Gathering asks every worker in turn; a scrape is not on anyone's request path. */
const CLUSTER_METRICS_TIMEOUT_MS = 10_000;

/** The primary's side: the metrics of every worker, in the Prometheus text format. */
export function clusterMetricsService(): PrimaryServices {
  const aggregator = new AggregatorRegistry();
  return { requests: { [CLUSTER_METRICS_REQUEST]: () => aggregator.clusterMetrics() } };
}

/**
 * In a worker: its registry is the one the primary gathers, and the returned function reads the whole cluster's.
 * Undefined in a process serving alone (its own registry is the whole).
 */
export function clusterMetricsText(registry: Registry): (() => Promise<string>) | undefined {
  const channel = workerChannel();
  if (channel === undefined) return undefined;
  // Constructing one is what makes prom-client answer the primary's requests in this worker.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  return () => channel.request<string>(CLUSTER_METRICS_REQUEST, null, CLUSTER_METRICS_TIMEOUT_MS);
}
