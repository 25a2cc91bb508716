import { createHash } from 'node:crypto';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { IDENTITY_ASSERTION_HEADER, type AssertionSigner } from '@icg/shared';
import type { Fetcher } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from './gateway-context';

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  timeoutMs: number;
  signer: AssertionSigner;
}

/** GraphQL names only: anything else is left out of the assertion rather than refused. */
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,127}$/;

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
  private readonly signer: AssertionSigner;

  constructor(options: SubgraphDataSourceOptions) {
    super({ url: options.url, fetcher: fetcherWithTimeout(options.timeoutMs) });
    this.subgraphName = options.name;
    this.timeoutMs = options.timeoutMs;
    this.signer = options.signer;
  }

  /**
   * Each subgraph call carries a fresh assertion of the verified caller, signed by the gateway for
   * this subgraph only. Requests are built from scratch here, so no client header reaches a subgraph.
   */
  override async willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const context = options.context;
    const headers = options.request.http?.headers;
    if (!context?.identity || !headers) return;
    const incoming = 'incomingRequestContext' in options ? options.incomingRequestContext : undefined;
    const query = incoming?.request.query ?? '';
    context.operationHash ??= createHash('sha256').update(query).digest('hex');
    const name = incoming?.request.operationName ?? incoming?.operationName ?? null;
    const assertion = await this.signer.sign(context.identity, {
      subgraph: this.subgraphName,
      requestId: context.requestId,
      operation: { hash: context.operationHash, name: name && OPERATION_NAME.test(name) ? name : null },
    });
    headers.set('x-request-id', context.requestId);
    headers.set(IDENTITY_ASSERTION_HEADER, assertion);
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
