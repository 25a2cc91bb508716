import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { FetcherHeaders, FetcherResponse } from '@apollo/utils.fetcher';

/**
 * Subgraph answers larger than this are cut off as a failed call: a subgraph gone wrong (or a 50 MB body)
 * cannot make the gateway buffer without bound. Far above any answer the graph's pages produce.
 */
export const DEFAULT_MAX_SUBGRAPH_RESPONSE_BYTES = 16 * 1024 * 1024;

/** Thrown when a call outlives its deadline; named so the data source maps it to SUBGRAPH_TIMEOUT. */
export class SubgraphCallTimeout extends Error {
  override readonly name = 'TimeoutError';
  constructor(timeoutMs: number) {
    super(`No complete answer within ${timeoutMs} ms`);
  }
}

/** Thrown when an answer exceeds the size cap. */
export class SubgraphResponseTooLarge extends Error {
  override readonly name = 'SubgraphResponseTooLarge';
  constructor(maxBytes: number) {
    super(`The answer exceeded ${maxBytes} bytes`);
  }
}

export interface SubgraphPost {
  headers: Record<string, string>;
  body: string;
  /** The deadline covers the whole call: connecting, sending, and reading the full answer. */
  timeoutMs: number;
}

export interface SubgraphHttpClientOptions {
  maxResponseBytes?: number;
}

/**
 * The gateway's HTTP client for subgraph calls: node:http over one keep-alive Agent per subgraph, reading each
 * answer whole into memory before handing it to Apollo's data source. Replaces Node's global fetch, whose web
 * streams, Request/Response objects and AbortSignal timers cost more than the call itself (issue 12's profile).
 * Plain http only: subgraphs are reached on the internal network, as before.
 */
/** Idle sockets close after this at the latest, or a second before the subgraph's Keep-Alive hint if that is sooner. */
const IDLE_SOCKET_TIMEOUT_MS = 60_000;

export class SubgraphHttpClient {
  private readonly maxResponseBytes: number;
  // LIFO keeps the few busiest connections warm. The agent honours the subgraph's Keep-Alive timeout hint (closing
  // an idle connection a second early, so it is not reused just as the subgraph closes it) only when the agent has a
  // socket timeout of its own: without one, Node 20 leaves idle sockets open and a reuse can meet ECONNRESET. Calls
  // have their own deadline (timeoutMs); this one only bounds a socket with no call on it.
  private readonly agent = new Agent({ keepAlive: true, scheduling: 'lifo', timeout: IDLE_SOCKET_TIMEOUT_MS });
  private lastUrl: { href: string; target: URL } | undefined;

  constructor(options: SubgraphHttpClientOptions = {}) {
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_SUBGRAPH_RESPONSE_BYTES;
  }

  /** A data source calls one URL over and over: parsed once. */
  private parsed(url: string): URL {
    if (this.lastUrl?.href !== url) this.lastUrl = { href: url, target: new URL(url) };
    return this.lastUrl.target;
  }

  post(url: string, { headers, body, timeoutMs }: SubgraphPost): Promise<FetcherResponse> {
    return new Promise<FetcherResponse>((resolve, reject) => {
      const target = this.parsed(url);
      if (target.protocol !== 'http:') {
        reject(new TypeError('Subgraph URLs must use http:'));
        return;
      }
      const payload = Buffer.from(body, 'utf8');
      const request = httpRequest(target, {
        method: 'POST',
        agent: this.agent,
        headers: { ...headers, 'content-length': String(payload.length) },
      });
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        reject(error);
      };
      // Settles first, then closes the connection; what the closing emits afterwards finds the call settled.
      const abort = (error: Error) => {
        fail(error);
        request.destroy();
      };
      // One timer for the whole call (a socket timeout would only bound the gaps between packets).
      const deadline = setTimeout(() => abort(new SubgraphCallTimeout(timeoutMs)), timeoutMs);
      request.on('error', fail);
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          if (settled) return;
          received += chunk.length;
          if (received > this.maxResponseBytes) abort(new SubgraphResponseTooLarge(this.maxResponseBytes));
          else chunks.push(chunk);
        });
        response.on('error', fail);
        response.on('close', () => {
          if (!response.complete) fail(new Error('The subgraph closed the connection mid-answer'));
        });
        response.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          const status = response.statusCode ?? 0;
          resolve(new BufferedResponse(url, status, response.statusMessage ?? '', new ReadOnlyHeaders(response.headers), Buffer.concat(chunks, received)));
        });
      });
      request.end(payload);
    });
  }
}

/** The parts of a fetch Response that Apollo's RemoteGraphQLDataSource reads, over a body already read whole. */
class BufferedResponse implements FetcherResponse {
  readonly redirected = false;
  readonly ok: boolean;
  private used = false;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    readonly headers: FetcherHeaders,
    private readonly body: Buffer,
  ) {
    this.ok = status >= 200 && status < 300;
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  async text(): Promise<string> {
    this.used = true;
    return this.body.toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    this.used = true;
    return this.body.buffer.slice(this.body.byteOffset, this.body.byteOffset + this.body.byteLength) as ArrayBuffer;
  }

  clone(): FetcherResponse {
    return new BufferedResponse(this.url, this.status, this.statusText, this.headers, this.body);
  }
}

/** Response headers, names lower-cased as node:http gives them; repeated values joined as fetch joins them. */
class ReadOnlyHeaders implements FetcherHeaders {
  private readonly byName = new Map<string, string>();

  constructor(raw: IncomingHttpHeaders) {
    for (const [name, value] of Object.entries(raw)) {
      if (value !== undefined) this.byName.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
  }

  get(name: string): string | null {
    return this.byName.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.byName.has(name.toLowerCase());
  }

  append(): void {
    throw new TypeError('Subgraph response headers are read-only');
  }

  delete(): void {
    throw new TypeError('Subgraph response headers are read-only');
  }

  set(): void {
    throw new TypeError('Subgraph response headers are read-only');
  }

  entries(): IterableIterator<[string, string]> {
    return this.byName.entries();
  }

  keys(): IterableIterator<string> {
    return this.byName.keys();
  }

  values(): IterableIterator<string> {
    return this.byName.values();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.byName.entries();
  }
}
