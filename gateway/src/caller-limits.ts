import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { HttpError, type CallerLimit, type CallerLimitsConfig, type StaffIdentity } from '@icg/shared';

/** Which of a caller's limits refused a request: named in the 429's error, never with the caller. */
export type ExceededLimit = 'rate' | 'concurrency';

export type Admission = { admitted: true; release: () => void } | { admitted: false; limit: ExceededLimit; retryAfterSeconds: number };

export type LimitedCaller = Pick<StaffIdentity, 'staffId' | 'role'>;

/** Admits callers or refuses them: a CallerLimiter in this process, or one the workers share (cluster-caller-limits.ts). */
export interface CallerAdmitter {
  admit(caller: LimitedCaller): Admission | Promise<Admission>;
}

interface CallerState {
  limit: CallerLimit;
  /** Token bucket: requests the caller may still start now (fractional while refilling). */
  tokens: number;
  refilledAt: number;
  inFlight: number;
}

/** How often idle callers are forgotten: the table holds at most the callers seen in about this long. */
const SWEEP_INTERVAL_MS = 10_000;
/** A caller refused for concurrency is told to come back after this; when a slot frees cannot be known. */
const CONCURRENCY_RETRY_AFTER_SECONDS = 1;

/**
 * Per-caller limits, keyed by staff id, with the limit of the caller's role: a token bucket for the rate
 * (every authenticated attempt takes a token, refused or not, so retrying in a loop does not pay) and a
 * counter of requests in flight. A caller with nothing in flight and a full bucket is indistinguishable
 * from one never seen, so it is dropped: memory follows the callers active in the last sweep interval.
 */
export class CallerLimiter implements CallerAdmitter {
  private readonly callers = new Map<string, CallerState>();
  private sweptAt: number;

  constructor(
    private readonly limits: CallerLimitsConfig,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.sweptAt = now();
  }

  limitOf(role: LimitedCaller['role']): CallerLimit {
    return this.limits.roles[role] ?? this.limits.default;
  }

  /** Callers currently remembered (for tests of the memory bound). */
  get trackedCallers(): number {
    return this.callers.size;
  }

  admit(caller: LimitedCaller): Admission {
    const now = this.now();
    if (now - this.sweptAt >= SWEEP_INTERVAL_MS) this.forgetIdleCallers(now);
    const limit = this.limitOf(caller.role);
    let state = this.callers.get(caller.staffId);
    if (state === undefined) {
      state = { limit, tokens: limit.burst, refilledAt: now, inFlight: 0 };
      this.callers.set(caller.staffId, state);
    }
    // The role's limit applies even if the same staff id last came with another role.
    state.limit = limit;
    refill(state, now);
    if (state.tokens < 1) {
      return { admitted: false, limit: 'rate', retryAfterSeconds: Math.max(1, Math.ceil((1 - state.tokens) / limit.ratePerSecond)) };
    }
    state.tokens -= 1;
    if (state.inFlight >= limit.concurrent) return { admitted: false, limit: 'concurrency', retryAfterSeconds: CONCURRENCY_RETRY_AFTER_SECONDS };
    state.inFlight += 1;
    const admitted = state;
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        admitted.inFlight -= 1;
      },
    };
  }

  private forgetIdleCallers(now: number): void {
    this.sweptAt = now;
    for (const [staffId, state] of this.callers) {
      refill(state, now);
      if (state.inFlight === 0 && state.tokens >= state.limit.burst) this.callers.delete(staffId);
    }
  }
}

function refill(state: CallerState, now: number): void {
  state.tokens = Math.min(state.limit.burst, state.tokens + ((now - state.refilledAt) / 1000) * state.limit.ratePerSecond);
  state.refilledAt = now;
}

const EXCEEDED_MESSAGES: Record<ExceededLimit, string> = {
  rate: 'Too many requests: the request rate limit for this caller is exceeded',
  concurrency: 'Too many requests: the limit of concurrent requests for this caller is reached',
};

/**
 * The gateway's hook: admits each authenticated request or refuses it with HTTP 429 (`Retry-After`,
 * error code RATE_LIMITED naming the limit), and holds the caller's concurrency slot until the
 * request's response closes, which it does once answered, on any error, and when the client goes away.
 */
export class GatewayCallerLimits {
  private readonly responses = new WeakMap<IncomingMessage, ServerResponse>();

  /** `limiter`: where admissions are decided; by default a CallerLimiter of this process with `limits`. */
  constructor(
    limits: CallerLimitsConfig,
    now?: () => number,
    private readonly limiter: CallerAdmitter = new CallerLimiter(limits, now),
  ) {}

  /** The context sees only the request: this remembers which response answers it. */
  attach(server: Server): void {
    server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => this.responses.set(request, response));
  }

  /** Throws HttpError 429 when a limit refuses the caller; otherwise the slot is released when the response closes. */
  async admit(request: IncomingMessage, caller: LimitedCaller): Promise<void> {
    const response = this.responses.get(request);
    // Fail closed: without its response a slot could never be released.
    if (response === undefined) throw new Error('caller limits: the server was not attached');
    const admission = await this.limiter.admit(caller);
    if (!admission.admitted) {
      throw new HttpError(
        429,
        EXCEEDED_MESSAGES[admission.limit],
        'RATE_LIMITED',
        { 'retry-after': String(admission.retryAfterSeconds) },
        { limit: admission.limit },
      );
    }
    if (response.closed) {
      // The client left while it was being authenticated: nothing to answer, so nothing runs.
      admission.release();
      throw new HttpError(400, 'The client closed the request', 'CLIENT_CLOSED_REQUEST');
    }
    response.once('close', admission.release);
  }
}
