import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from './gateway-context';

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  timeoutMs: number;
}

/** Node's fetch with a deadline: the gateway's data source has none by default. */
function fetcherWithTimeout(timeoutMs: number): Fetcher {
  const fetchWithDeadline = (url: string, init?: Record<string, unknown>) => fetch(url, { ...(init as RequestInit), signal: AbortSignal.timeout(timeoutMs) });
  return fetchWithDeadline as unknown as Fetcher;
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string; cause?: { name?: string } })?.name;
  const causeName = (error as { cause?: { name?: string } })?.cause?.name;
  return name === 'TimeoutError' || name === 'AbortError' || causeName === 'TimeoutError' || causeName === 'AbortError';
}

/**
 * One subgraph, called with a per-call timeout and the request id. Transport failures become an
 * error that names the subgraph and nothing else (the default message carries its internal URL).
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly subgraphName: string;
  private readonly timeoutMs: number;

  constructor(options: SubgraphDataSourceOptions) {
    super({ url: options.url, fetcher: fetcherWithTimeout(options.timeoutMs) });
    this.subgraphName = options.name;
    this.timeoutMs = options.timeoutMs;
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const requestId = options.context?.requestId;
    if (requestId) options.request.http?.headers.set('x-request-id', requestId);
  }

  override didEncounterError(error: Error): void {
    if (isTimeout(error)) {
      throw new GraphQLError(`The ${this.subgraphName} subgraph did not answer within ${this.timeoutMs} ms`, {
        extensions: { code: 'SUBGRAPH_TIMEOUT', subgraph: this.subgraphName },
      });
    }
    throw new GraphQLError(`The ${this.subgraphName} subgraph is unavailable`, {
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: this.subgraphName },
    });
  }
}
