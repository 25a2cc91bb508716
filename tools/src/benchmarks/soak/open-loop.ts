import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * An open-loop load: requests leave on a fixed schedule (the n-th at n / rate seconds), whether or not earlier ones
 * have been answered, so a server that slows down meets the same arrival rate instead of a politely waiting client
 * (a closed loop hides a stall as fewer requests). Latency is counted from when a request was due, not from when it
 * left, so time spent queued behind a slow server is in the figures.
 */

/** An idle keep-alive connection is closed after this long, or sooner when the server's hint says so. */
const IDLE_CONNECTION_MS = 4_000;

/** Whole requests in `elapsedMs` at `ratePerSecond`; the epsilon keeps 1,800,000 ms × 33.3/s from flooring to 59,939. */
const wholeRequests = (elapsedMs: number, ratePerSecond: number) => Math.floor((elapsedMs * ratePerSecond) / 1_000 + 1e-9);

/** When the request with this index (0, 1, 2, …) is due, in ms after the start. */
export function dueAtMs(index: number, ratePerSecond: number): number {
  return (index * 1_000) / ratePerSecond;
}

/** How many requests are due by `elapsedMs` after the start (request 0 is due at once), at most `total`. */
export function requestsDueBy(elapsedMs: number, ratePerSecond: number, total: number): number {
  if (elapsedMs < 0) return 0;
  return Math.min(total, wholeRequests(elapsedMs, ratePerSecond) + 1);
}

/** Requests a run of `durationMs` at `ratePerSecond` sends. */
export function requestsInRun(durationMs: number, ratePerSecond: number): number {
  return wholeRequests(durationMs, ratePerSecond);
}

/** What came back for one request. */
export interface OpenLoopAnswer {
  index: number;
  /** HTTP status, or undefined when the request failed below HTTP (`transportError` says how). */
  status: number | undefined;
  body: string;
  requestId: string | undefined;
  transportError: string | undefined;
  /** From when the request was due to when its answer had been read. */
  latencyMs: number;
  /** performance.now() when the answer had been read. */
  completedAt: number;
}

export interface OpenLoopOptions {
  url: string;
  headers: Readonly<Record<string, string>>;
  ratePerSecond: number;
  durationMs: number;
  bodyFor: (index: number) => string;
  onAnswer: (answer: OpenLoopAnswer) => void;
  /** Connections the load may open; requests beyond them wait in the client's queue (and their wait counts). */
  maxConnections: number;
  /**
   * Requests in flight beyond which a due request is not sent but counted as an answer with transportError
   * `BACKLOG`: a server that stopped answering must not make the load generator's memory grow without end.
   */
  maxInFlight: number;
}

/** Runs the schedule to its end and resolves once every request sent has been answered. */
export async function runOpenLoop(options: OpenLoopOptions): Promise<{ sent: number; startedAt: number; elapsedMs: number }> {
  // With a `timeout`, Node's agent closes an idle connection a second before the server's `Keep-Alive: timeout=5`
  // hint; without one (Node 20) it ignores the hint and may reuse a connection the server is closing: ECONNRESET.
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxConnections, timeout: IDLE_CONNECTION_MS });
  const url = new URL(options.url);
  const total = requestsInRun(options.durationMs, options.ratePerSecond);
  const pending = new Set<Promise<void>>();
  const startedAt = performance.now();
  let next = 0;

  const send = (index: number) => {
    const dueAt = startedAt + dueAtMs(index, options.ratePerSecond);
    const answer = (fields: Pick<OpenLoopAnswer, 'status' | 'body' | 'requestId' | 'transportError'>) => {
      const completedAt = performance.now();
      options.onAnswer({ index, ...fields, latencyMs: completedAt - dueAt, completedAt });
    };
    if (pending.size >= options.maxInFlight) {
      answer({ status: undefined, body: '', requestId: undefined, transportError: 'BACKLOG' });
      return;
    }
    const body = options.bodyFor(index);
    const done = new Promise<void>((resolve) => {
      const outgoing = request(
        url,
        {
          method: 'POST',
          agent,
          headers: { ...options.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const requestId = response.headers['x-request-id'];
            answer({
              status: response.statusCode,
              body: Buffer.concat(chunks).toString('utf8'),
              requestId: typeof requestId === 'string' ? requestId : undefined,
              transportError: undefined,
            });
            resolve();
          });
          response.on('error', (error: NodeJS.ErrnoException) => {
            answer({ status: undefined, body: '', requestId: undefined, transportError: error.code ?? error.message });
            resolve();
          });
        },
      );
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        answer({ status: undefined, body: '', requestId: undefined, transportError: error.code ?? error.message });
        resolve();
      });
      outgoing.end(body);
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  };

  try {
    while (next < total) {
      const due = requestsDueBy(performance.now() - startedAt, options.ratePerSecond, total);
      while (next < due) send(next++);
      // Sleep until the next request is due; timers are late by a millisecond or so, which the catch-up above absorbs.
      const wait = startedAt + dueAtMs(next, options.ratePerSecond) - performance.now();
      if (wait > 0) await delay(Math.min(wait, 50));
    }
    while (pending.size) await Promise.all([...pending]);
  } finally {
    agent.destroy();
  }
  return { sent: total, startedAt, elapsedMs: performance.now() - startedAt };
}
