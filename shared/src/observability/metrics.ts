/**
 * Prometheus metrics of one server (the gateway or a subgraph), on its own registry so several servers can share
 * a process (the tests run them all in one). Labels take values from small closed sets only: status codes, error
 * codes, subgraph names, decision outcomes, tiers — never an id, a record or anything a client typed.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Knex } from 'knex';
import { clusterMetricsText } from '../workers/cluster-metrics';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Error codes are ours (UPPER_SNAKE); anything else a client could make up is folded into one value. */
const ERROR_CODE = /^[A-Z][A-Z_]{0,39}$/;

/** What the audit writer reports of itself (ThreadedAuditWriter.metricsState). */
export interface AuditQueueState {
  queued: number;
  maxQueued: number;
  /** Records refused (queue full, writer closing) or lost with a crashed worker. */
  dropped: number;
  /** Requests refused their audited values because the queue had no room for their records. */
  refusedReservations: number;
  healthy: boolean;
}

/** The part of a tarn pool (knex's) the pool gauges read. */
interface PoolLike {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max: number;
}

/** An error code as a label or log value: ours as they are, anything else as OTHER. */
export function errorCodeLabel(code: unknown): string {
  return typeof code === 'string' && ERROR_CODE.test(code) ? code : 'OTHER';
}

/** `circuit_open`: not sent at all, the subgraph's circuit breaker is open (gateway/src/circuit-breaker.ts). */
export type SubgraphFetchOutcome = 'ok' | 'http_error' | 'timeout' | 'unavailable' | 'circuit_open';

/** Event delivery delays: from the producer's commit to the consumer's (HTTP) or the stream's (JetStream) confirmation. */
type DecisionOutcome = 'ALLOW' | 'MASK' | 'DENY';
const DECISION_OUTCOMES: readonly DecisionOutcome[] = ['ALLOW', 'MASK', 'DENY'];

const EVENT_DELAY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800];

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requestDuration: Histogram<'status'>;
  private readonly graphqlErrors: Counter<'code'>;
  private readonly decisions: Counter<'outcome' | 'tier'>;
  /** Decisions counted since the last scrape, by tier: a field of every record is one, so a page counts thousands. */
  private readonly pendingDecisions = new Map<string, Record<DecisionOutcome, number>>();
  private readonly subgraphFetchDuration: Histogram<'subgraph' | 'outcome'>;
  private readonly subgraphFetchErrors: Counter<'subgraph' | 'kind'>;
  private readonly subgraphTimeouts: Counter<'subgraph'>;
  private eventDelay: Histogram<'consumer' | 'transport'> | undefined;
  private eventFailures: Counter<'consumer' | 'transport' | 'outcome'> | undefined;
  private eventsReceived: Counter<'type' | 'outcome'> | undefined;

  constructor(server: string) {
    this.registry.setDefaultLabels({ server });
    collectDefaultMetrics({ register: this.registry, prefix: 'icg_' });
    const registers = [this.registry];
    this.requestDuration = new Histogram({
      name: 'icg_http_request_duration_seconds',
      help: 'Time to answer a GraphQL HTTP request, by HTTP status',
      labelNames: ['status'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    this.graphqlErrors = new Counter({ name: 'icg_graphql_errors_total', help: 'Errors in GraphQL responses, by error code', labelNames: ['code'], registers });
    const pendingDecisions = this.pendingDecisions;
    this.decisions = new Counter({
      name: 'icg_access_decisions_total',
      help: 'Field access decisions of the subgraph layer (one per field of each record), by outcome (ALLOW, MASK, DENY) and tier',
      labelNames: ['outcome', 'tier'],
      registers,
      // Counted in plain numbers on the hot path (decisionCounter), added to the counter when scraped.
      collect() {
        for (const [tier, counts] of pendingDecisions) {
          for (const outcome of DECISION_OUTCOMES) {
            if (counts[outcome] > 0) this.inc({ outcome, tier }, counts[outcome]);
            counts[outcome] = 0;
          }
        }
      },
    });
    this.subgraphFetchDuration = new Histogram({
      name: 'icg_subgraph_fetch_duration_seconds',
      help: 'Gateway → subgraph call latency, by subgraph and outcome',
      labelNames: ['subgraph', 'outcome'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    this.subgraphFetchErrors = new Counter({
      name: 'icg_subgraph_fetch_errors_total',
      help: 'Gateway → subgraph calls that failed, by subgraph and kind (timeout, unavailable, http_error, or a GraphQL error code)',
      labelNames: ['subgraph', 'kind'],
      registers,
    });
    this.subgraphTimeouts = new Counter({
      name: 'icg_subgraph_fetch_timeouts_total',
      help: 'Gateway → subgraph calls cut off at SUBGRAPH_TIMEOUT_MS',
      labelNames: ['subgraph'],
      registers,
    });
  }

  requestAnswered(status: number, seconds: number): void {
    this.requestDuration.observe({ status: String(status) }, seconds);
  }

  graphqlError(code: string): void {
    this.graphqlErrors.inc({ code: errorCodeLabel(code) });
  }

  /**
   * The subgraph's counter for one tier: counting a decision on the hot path (every field of every record) is an
   * increment of a plain number; the Prometheus counter takes the sums when scraped.
   */
  decisionCounter(tier: string): (outcome: DecisionOutcome) => void {
    let counts = this.pendingDecisions.get(tier);
    if (counts === undefined) this.pendingDecisions.set(tier, (counts = { ALLOW: 0, MASK: 0, DENY: 0 }));
    const bound = counts;
    // Touched once, so the tier's series exist (at 0) before its first decision.
    for (const outcome of DECISION_OUTCOMES) this.decisions.labels({ outcome, tier }).inc(0);
    return (outcome) => {
      bound[outcome] += 1;
    };
  }

  subgraphFetched(subgraph: string, outcome: SubgraphFetchOutcome, seconds: number): void {
    this.subgraphFetchDuration.observe({ subgraph, outcome }, seconds);
    if (outcome === 'timeout') this.subgraphTimeouts.inc({ subgraph });
    if (outcome !== 'ok') this.subgraphFetchErrors.inc({ subgraph, kind: outcome });
  }

  /** A subgraph answered, but with an error the gateway passes on (e.g. DATABASE_UNAVAILABLE). */
  subgraphErrored(subgraph: string, code: string): void {
    this.subgraphFetchErrors.inc({ subgraph, kind: errorCodeLabel(code) });
  }

  /** Audit queue gauges, read at scrape time. */
  watchAuditQueue(state: () => AuditQueueState): void {
    const registers = [this.registry];
    new Gauge({
      name: 'icg_audit_queue_depth',
      help: 'Audit records not yet written (reserved, buffered, in transit, queued in the worker)',
      registers,
      collect() {
        this.set(state().queued);
      },
    });
    new Gauge({
      name: 'icg_audit_queue_capacity',
      help: 'AUDIT_MAX_QUEUED',
      registers,
      collect() {
        this.set(state().maxQueued);
      },
    });
    new Gauge({
      name: 'icg_audit_healthy',
      help: '1 while the audit store takes writes and the queue has room; 0 while clear RESTRICTED values are refused',
      registers,
      collect() {
        this.set(state().healthy ? 1 : 0);
      },
    });
    monotonicCounter(
      this.registry,
      'icg_audit_records_dropped_total',
      'Audit records refused (queue full, closing) or lost with a worker',
      () => state().dropped,
    );
    monotonicCounter(
      this.registry,
      'icg_audit_reservations_refused_total',
      'Requests refused their audited values: the audit queue had no room for their records',
      () => state().refusedReservations,
    );
  }

  /** The outbox backlog per consumer (events not yet confirmed), read at scrape time from the relay's last round. */
  watchEventOutbox(backlog: () => Readonly<Record<string, number>>): void {
    new Gauge({
      name: 'icg_event_outbox_backlog',
      help: 'Events in the outbox not yet confirmed by their consumer (or stored by JetStream), by consumer',
      labelNames: ['consumer'],
      registers: [this.registry],
      collect() {
        for (const [consumer, pending] of Object.entries(backlog())) this.set({ consumer }, pending);
      },
    });
  }

  eventDelivered(consumer: string, transport: string, delaySeconds: number): void {
    this.eventDelay ??= new Histogram({
      name: 'icg_event_delivery_delay_seconds',
      help: 'From recording an event in the outbox to its confirmation by the consumer (HTTP) or the stream (JetStream), by consumer and transport',
      labelNames: ['consumer', 'transport'],
      buckets: EVENT_DELAY_BUCKETS_SECONDS,
      registers: [this.registry],
    });
    this.eventDelay.observe({ consumer, transport }, delaySeconds);
  }

  eventDeliveryFailed(consumer: string, transport: string, outcome: 'rejected' | 'failed'): void {
    this.eventFailures ??= new Counter({
      name: 'icg_event_delivery_failures_total',
      help: 'Event deliveries not confirmed: failed (retried with backoff) or rejected (refused for good by the consumer), by consumer and transport',
      labelNames: ['consumer', 'transport', 'outcome'],
      registers: [this.registry],
    });
    this.eventFailures.inc({ consumer, transport, outcome });
  }

  /** Events this subgraph received, by type (`unknown` before the sender is authenticated) and outcome. */
  eventReceived(type: string, outcome: string): void {
    this.eventsReceived ??= new Counter({
      name: 'icg_events_received_total',
      help: 'Events received, by type and outcome (applied, duplicate, rejected, unauthenticated, forbidden, unavailable, failed)',
      labelNames: ['type', 'outcome'],
      registers: [this.registry],
    });
    this.eventsReceived.inc({ type, outcome });
  }

  /** Connection pool gauges of a knex database (MySQL: DB_POOL_MAX connections; SQLite: one). */
  watchDatabasePool(store: string, db: Knex): void {
    const pool = (): PoolLike | undefined => (db.client as { pool?: PoolLike }).pool;
    new Gauge({
      name: 'icg_db_pool_connections',
      help: 'Database connections of the pool, by state (used, free)',
      labelNames: ['store', 'state'],
      registers: [this.registry],
      collect() {
        const current = pool();
        this.set({ store, state: 'used' }, current?.numUsed() ?? 0);
        this.set({ store, state: 'free' }, current?.numFree() ?? 0);
      },
    });
    new Gauge({
      name: 'icg_db_pool_pending_acquires',
      help: 'Queries waiting for a database connection',
      labelNames: ['store'],
      registers: [this.registry],
      collect() {
        this.set({ store }, pool()?.numPendingAcquires() ?? 0);
      },
    });
    new Gauge({
      name: 'icg_db_pool_max',
      help: 'Largest number of connections the pool opens',
      labelNames: ['store'],
      registers: [this.registry],
      collect() {
        this.set({ store }, pool()?.max ?? 0);
      },
    });
  }
}

/** A counter whose total is kept elsewhere: each scrape adds what it grew by since the last. */
function monotonicCounter(registry: Registry, name: string, help: string, total: () => number): void {
  let seen = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = total();
      if (now > seen) this.inc(now - seen);
      seen = Math.max(seen, now);
    },
  });
}

export interface MetricsAccess {
  /** METRICS_TOKEN: when set, a scrape must send `Authorization: Bearer <token>`. */
  token?: string;
}

function bearerMatches(request: IncomingMessage, token: string): boolean {
  const given = Buffer.from(request.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The `/metrics` route: Prometheus text format, behind METRICS_TOKEN when one is configured. In one of several
 * workers, the metrics of them all (workers/cluster-metrics.ts).
 */
export function metricsRoute(metrics: ServerMetrics, access: MetricsAccess = {}) {
  const text = clusterMetricsText(metrics.registry) ?? (() => metrics.registry.metrics());
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (access.token !== undefined && !bearerMatches(request, access.token)) {
      response.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer', 'cache-control': 'no-store' });
      response.end('Unauthorized\n');
      return;
    }
    let body: string;
    try {
      body = await text();
    } catch {
      response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '5' });
      response.end('Metrics unavailable\n');
      return;
    }
    response.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    response.end(body);
  };
}
