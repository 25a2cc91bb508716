/**
 * OpenTelemetry traces: gateway → subgraph → SQL, one trace per client request, joined across processes by the
 * W3C `traceparent` header. Spans are made by hand (no module patching): the HTTP server span here, the subgraph
 * fetch span in the gateway's data source, SQL spans from knex's query events; @apollo/gateway adds its own
 * plan/fetch spans under the server span. Without `startTracing` every span is a no-op and costs next to nothing.
 */
import type { IncomingMessage } from 'node:http';
import { context, propagation, trace, SpanKind, SpanStatusCode, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { Knex } from 'knex';

const TRACER_NAME = '@icg/shared';

export interface TracingOptions {
  /** Names the process in the trace backend, e.g. `icg-gateway`, `icg-customers`. */
  serviceName: string;
  /** OTLP/HTTP collector base URL (spans go to `<endpoint>/v1/traces`); without it and without `exporter`, nothing is installed. */
  otlpEndpoint?: string;
  /** Share of new traces kept (a caller's sampling decision is followed); default 1. */
  sampleRatio?: number;
  /** Tests: an exporter of their own (e.g. in memory), exporting each span as it ends. */
  exporter?: SpanExporter;
}

export interface Tracing {
  /** Exports what is buffered and uninstalls the provider. */
  shutdown(): Promise<void>;
}

/** Installs the process-wide tracer provider, context manager and W3C propagator; a no-op when nothing is configured. */
export function startTracing(options: TracingOptions): Tracing {
  const exporter = options.exporter ?? (options.otlpEndpoint ? new OTLPTraceExporter({ url: otlpTracesUrl(options.otlpEndpoint) }) : undefined);
  if (exporter === undefined) return { shutdown: async () => {} };
  const provider = new BasicTracerProvider({
    resource: new Resource({ 'service.name': options.serviceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio ?? 1) }),
  });
  // Batched in production; a test's exporter sees each span as it ends.
  provider.addSpanProcessor(options.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter));
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    async shutdown() {
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        propagation.disable();
        context.disable();
      }
    },
  };
}

function otlpTracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** The span of one HTTP request a server answers, continuing the caller's trace when a `traceparent` came with it. */
export function startServerSpan(request: IncomingMessage, serverName: string, route: string): { span: Span; context: Context } {
  const parent = propagation.extract(context.active(), request.headers);
  const method = request.method ?? 'GET';
  const span = tracer().startSpan(
    `${method} ${route}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'http.route': route, 'icg.server': serverName } },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

export function endServerSpan(span: Span, status: number): void {
  span.setAttribute('http.response.status_code', status);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/** Runs `work` with `active` as the current context, so spans started inside (Apollo's, SQL) become its children. */
export function runInContext<T>(active: Context, work: () => T): T {
  return context.with(active, work);
}

/**
 * One gateway → subgraph call: a client span, and the headers carrying it (`traceparent`) to the subgraph.
 * The headers object is written in place.
 */
export function startSubgraphFetchSpan(subgraph: string, headers: Record<string, string>): Span {
  const span = tracer().startSpan(`subgraph ${subgraph}`, { kind: SpanKind.CLIENT, attributes: { 'icg.subgraph': subgraph } });
  propagation.inject(trace.setSpan(context.active(), span), headers);
  return span;
}

export function endSubgraphFetchSpan(span: Span, outcome: { status?: number; error?: string }): void {
  if (outcome.status !== undefined) span.setAttribute('http.response.status_code', outcome.status);
  if (outcome.error !== undefined || (outcome.status ?? 0) >= 400) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error });
  span.end();
}

interface KnexQueryEvent {
  __knexQueryUid?: string;
  method?: string;
}

/**
 * A span per SQL statement of `db`, child of whatever span is current when knex sends it (the resolver's request).
 * Only the statement kind is recorded: never its text or bindings.
 */
export function traceSqlStatements(db: Knex, store: string, dialect: 'mysql' | 'sqlite'): void {
  const open = new Map<string, Span>();
  const finish = (query: KnexQueryEvent, error?: boolean): void => {
    const uid = query.__knexQueryUid;
    const span = uid === undefined ? undefined : open.get(uid);
    if (span === undefined) return;
    open.delete(uid!);
    if (error) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  db.on('query', (query: KnexQueryEvent) => {
    // A statement without a request around it (migrations, readiness probes) is not traced.
    if (query.__knexQueryUid === undefined || trace.getSpan(context.active()) === undefined) return;
    const operation = (query.method ?? 'query').toLowerCase();
    const span = tracer().startSpan(`${dialect} ${operation}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system': dialect === 'mysql' ? 'mysql' : 'sqlite', 'db.operation.name': operation, 'db.namespace': store },
    });
    if (!span.isRecording()) return;
    open.set(query.__knexQueryUid, span);
  });
  db.on('query-response', (_response: unknown, query: KnexQueryEvent) => finish(query));
  db.on('query-error', (_error: unknown, query: KnexQueryEvent) => finish(query, true));
}
