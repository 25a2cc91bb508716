import { randomBytes } from 'node:crypto';

export interface GraphQLErrorShape {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface SubgraphResponse {
  status: number;
  /** The `data` member when the body was a GraphQL JSON response; undefined otherwise. */
  data: unknown;
  errors: GraphQLErrorShape[];
  bodyText: string;
  /** Whether the body parsed as JSON. */
  isJson: boolean;
}

/** Every answer the suite received, kept so the leak check can read them all. */
export interface RecordedExchange {
  /** What the request was for, e.g. `identity: expired assertion`. */
  label: string;
  status: number;
  bodyText: string;
}

export class SubgraphTransportError extends Error {
  constructor(label: string, cause: unknown) {
    super(`${label}: no HTTP answer from the subgraph (${cause instanceof Error ? cause.message : String(cause)})`);
    this.name = 'SubgraphTransportError';
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A request id the subgraph's audit records can be traced back to this run with. */
export function conformanceRequestId(): string {
  return `conformance-${randomBytes(6).toString('hex')}`;
}

/** Talks to the subgraph over HTTP only, so the subgraph may be written in any language. */
export class SubgraphClient {
  readonly exchanges: RecordedExchange[] = [];

  constructor(
    readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  /** POSTs a GraphQL operation (or, for probes, any body) as JSON. */
  async post(
    label: string,
    body: string | { query: string; variables?: Record<string, unknown> },
    headers: Record<string, string> = {},
  ): Promise<SubgraphResponse> {
    return this.send(label, this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async get(label: string, path: string): Promise<SubgraphResponse> {
    return this.send(label, new URL(path, this.url).toString(), { method: 'GET' });
  }

  private async send(label: string, url: string, init: RequestInit): Promise<SubgraphResponse> {
    let response: Response;
    let bodyText: string;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
      bodyText = await response.text();
    } catch (error) {
      throw new SubgraphTransportError(label, error);
    }
    this.exchanges.push({ label, status: response.status, bodyText });
    let parsed: unknown;
    let isJson = true;
    try {
      parsed = JSON.parse(bodyText);
    } catch {
      isJson = false;
    }
    const errors = isRecord(parsed) && Array.isArray(parsed['errors']) ? parsed['errors'].filter(isRecord).map(toErrorShape) : [];
    return { status: response.status, data: isRecord(parsed) ? parsed['data'] : undefined, errors, bodyText, isJson };
  }
}

function toErrorShape(error: Record<string, unknown>): GraphQLErrorShape {
  const path = Array.isArray(error['path'])
    ? error['path'].filter((step): step is string | number => typeof step === 'string' || typeof step === 'number')
    : undefined;
  return {
    message: typeof error['message'] === 'string' ? error['message'] : '',
    ...(path ? { path } : {}),
    ...(isRecord(error['extensions']) ? { extensions: error['extensions'] } : {}),
  };
}
