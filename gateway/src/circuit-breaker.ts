/**
 * A circuit breaker per subgraph (issue 12, staying power). A subgraph failing most of its recent calls is
 * not called again for a while: its fields fail fast with SUBGRAPH_UNAVAILABLE instead of every request
 * waiting for the call timeout and piling more load on a struggling system. After `openMs` one probe call
 * goes through; its success closes the circuit, its failure opens it again.
 */

export interface CircuitBreakerOptions {
  /** Failures ÷ calls in the window at or above which the circuit opens. */
  failureRateThreshold: number;
  /** Fewer calls than this in the window never open the circuit (two failures in a quiet minute are no pattern). */
  minimumCalls: number;
  /** How far back calls count. */
  windowMs: number;
  /** How long an open circuit refuses calls before letting one probe through. */
  openMs: number;
  /** Milliseconds on a monotonic clock; `performance.now` unless a test sets it. */
  now?: () => number;
  /** Told of every change of state (for a log line and a metric). */
  onStateChange?: (state: CircuitState) => void;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export const DEFAULT_CIRCUIT_BREAKER_OPTIONS: Readonly<CircuitBreakerOptions> = Object.freeze({
  failureRateThreshold: 0.5,
  minimumCalls: 20,
  windowMs: 10_000,
  openMs: 2_000,
});

/** The window is kept as a ring of buckets, so a busy subgraph costs a fixed amount of memory and work. */
const BUCKETS = 10;

interface Bucket {
  /** Which slice of time (`floor(now / bucketMs)`) the counts belong to. */
  slice: number;
  calls: number;
  failures: number;
}

export class CircuitBreaker {
  private readonly options: CircuitBreakerOptions;
  private readonly now: () => number;
  private readonly bucketMs: number;
  private readonly buckets: Bucket[];
  private current: CircuitState = 'closed';
  private openedAt = 0;
  private probeInFlight = false;

  constructor(options: Partial<CircuitBreakerOptions> = {}) {
    this.options = { ...DEFAULT_CIRCUIT_BREAKER_OPTIONS, ...options };
    const { failureRateThreshold, minimumCalls, windowMs, openMs } = this.options;
    if (!(failureRateThreshold > 0 && failureRateThreshold <= 1)) throw new RangeError('failureRateThreshold must be in (0, 1]');
    if (!(Number.isInteger(minimumCalls) && minimumCalls >= 1)) throw new RangeError('minimumCalls must be a whole number, 1 or more');
    if (!(windowMs >= BUCKETS && openMs > 0)) throw new RangeError(`windowMs must be at least ${BUCKETS} and openMs above 0`);
    this.now = options.now ?? (() => performance.now());
    this.bucketMs = windowMs / BUCKETS;
    this.buckets = Array.from({ length: BUCKETS }, () => ({ slice: -1, calls: 0, failures: 0 }));
  }

  get state(): CircuitState {
    return this.current;
  }

  /**
   * Whether a call may go out now. In the half-open state exactly one call (the probe) is let through; every
   * call let through must be followed by `record` with its outcome.
   */
  tryAcquire(): boolean {
    if (this.current === 'closed') return true;
    if (this.current === 'open') {
      if (this.now() - this.openedAt < this.options.openMs) return false;
      this.moveTo('half-open');
    }
    if (this.probeInFlight) return false;
    this.probeInFlight = true;
    return true;
  }

  /** The outcome of a call `tryAcquire` let through. */
  record(succeeded: boolean): void {
    if (this.current === 'half-open') {
      this.probeInFlight = false;
      if (succeeded) {
        this.reset();
        this.moveTo('closed');
      } else {
        this.open();
      }
      return;
    }
    // A call let through while closed may finish after the circuit opened: its outcome changes nothing.
    if (this.current === 'open') return;
    const bucket = this.bucketAt(this.now());
    bucket.calls += 1;
    if (!succeeded) bucket.failures += 1;
    if (!succeeded) this.openIfFailing();
  }

  private openIfFailing(): void {
    const oldest = Math.floor(this.now() / this.bucketMs) - BUCKETS + 1;
    let calls = 0;
    let failures = 0;
    for (const bucket of this.buckets) {
      if (bucket.slice < oldest) continue;
      calls += bucket.calls;
      failures += bucket.failures;
    }
    if (calls >= this.options.minimumCalls && failures / calls >= this.options.failureRateThreshold) this.open();
  }

  private bucketAt(time: number): Bucket {
    const slice = Math.floor(time / this.bucketMs);
    const bucket = this.buckets[slice % BUCKETS]!;
    if (bucket.slice !== slice) {
      bucket.slice = slice;
      bucket.calls = 0;
      bucket.failures = 0;
    }
    return bucket;
  }

  private open(): void {
    this.openedAt = this.now();
    this.reset();
    this.moveTo('open');
  }

  private reset(): void {
    for (const bucket of this.buckets) {
      bucket.slice = -1;
      bucket.calls = 0;
      bucket.failures = 0;
    }
  }

  private moveTo(state: CircuitState): void {
    if (this.current === state) return;
    this.current = state;
    this.options.onStateChange?.(state);
  }
}
