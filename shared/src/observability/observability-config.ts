import { ConfigError, type EnvReader } from '../env-reader';

/** Metrics and traces, read from the environment by shared/src/config.ts. */
export interface ObservabilityConfig {
  /** METRICS_ENABLED: serve `/metrics` (default true). */
  metricsEnabled: boolean;
  /** METRICS_TOKEN: when set, a scrape must send `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: traces go there over OTLP/HTTP; unset means no traces are exported. */
  otlpEndpoint?: string;
  /** TRACE_SAMPLE_RATIO: share of new traces kept, 0 to 1 (default 1). */
  traceSampleRatio: number;
}

export function readObservabilityConfig(reader: EnvReader): ObservabilityConfig {
  const token = reader.optionalString('METRICS_TOKEN');
  if (token !== undefined && token.length < 16) throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters');
  const ratioText = reader.optionalString('TRACE_SAMPLE_RATIO');
  const ratio = ratioText === undefined ? 1 : Number(ratioText);
  if (ratioText !== undefined && (!/^\d*\.?\d+$/.test(ratioText) || ratio > 1)) {
    throw new ConfigError('TRACE_SAMPLE_RATIO', `must be a number from 0 to 1, got "${ratioText}"`);
  }
  return {
    metricsEnabled: reader.bool('METRICS_ENABLED', true),
    metricsToken: token,
    otlpEndpoint: reader.url('OTEL_EXPORTER_OTLP_ENDPOINT', undefined, ['http:', 'https:']),
    traceSampleRatio: ratio,
  };
}
