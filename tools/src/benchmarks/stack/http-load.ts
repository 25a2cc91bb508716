import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadOptions {
  /** The GraphQL endpoint, `http://127.0.0.1:<port>/graphql`. */
  url: string;
  headers: Readonly<Record<string, string>>;
  /** The JSON body of the n-th request. */
  bodyFor: (sequence: number) => string;
  /** Requests in flight at once, each on its own keep-alive connection. */
  connections: number;
  seconds: number;
}

export interface LoadResult {
  completed: number;
  /** Answers other than 200 without `errors`, and transport failures. */
  failed: number;
  firstFailure: string | undefined;
  /** Latency of each completed request, in completion order. */
  latenciesMs: number[];
  /** From the first request sent to the last answer received. */
  elapsedMs: number;
}

export interface SingleAnswer {
  status: number;
  body: string;
  ms: number;
}

/** One POST on `agent`, the answer read to its end. */
function post(agent: Agent, url: URL, headers: Readonly<Record<string, string>>, body: string): Promise<SingleAnswer> {
  const sent = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - sent }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** A complete answer: 200 and no `errors` member (a plain substring test keeps the load generator light). */
function failureOf(answer: SingleAnswer): string | undefined {
  if (answer.status !== 200) return `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`;
  if (answer.body.includes('"errors"')) return `errors in the answer: ${answer.body.slice(0, 300)}`;
  return undefined;
}

/**
 * A closed-loop load: `connections` workers, each sending its next request as soon as the previous one is
 * answered, until `seconds` have passed; requests in flight then finish and count.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const url = new URL(options.url);
  const latenciesMs: number[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  let sequence = 0;
  const startedAt = performance.now();
  const deadline = startedAt + options.seconds * 1_000;
  const worker = async () => {
    while (performance.now() < deadline) {
      try {
        const answer = await post(agent, url, options.headers, options.bodyFor(sequence++));
        const failure = failureOf(answer);
        if (failure === undefined) latenciesMs.push(answer.ms);
        else {
          failed++;
          firstFailure ??= failure;
        }
      } catch (error) {
        failed++;
        firstFailure ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.connections }, worker));
  } finally {
    agent.destroy();
  }
  return { completed: latenciesMs.length, failed, firstFailure, latenciesMs, elapsedMs: performance.now() - startedAt };
}

/** A client for one-at-a-time requests (equality checks, cold and warm latency), on its own keep-alive connection. */
export class SequentialClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly url: URL;

  constructor(
    url: string,
    private readonly headers: Readonly<Record<string, string>>,
  ) {
    this.url = new URL(url);
  }

  async post(body: string): Promise<SingleAnswer> {
    return post(this.agent, this.url, this.headers, body);
  }

  /** Posts and parses; throws with the status and the start of the body when the answer is not JSON. */
  async postJson<T>(body: string): Promise<{ answer: T; ms: number; status: number }> {
    const result = await this.post(body);
    try {
      return { answer: JSON.parse(result.body) as T, ms: result.ms, status: result.status };
    } catch {
      throw new Error(`HTTP ${result.status} with a body that is not JSON: ${result.body.slice(0, 200)}`);
    }
  }

  close(): void {
    this.agent.destroy();
  }
}
