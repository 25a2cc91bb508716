import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { GraphQLError } from 'graphql';
import {
  createAssertionSigner,
  createTokenVerifier,
  IDENTITY_ASSERTION_HEADER,
  type AssertedOperation,
  type AssertionSigner,
  type GatewayConfig,
  type StaffIdentity,
} from '@icg/shared';

export interface PlainGatewayContext {
  identity: StaffIdentity;
  requestId: string;
}

export interface RunningPlainGateway {
  url: string;
  close(): Promise<void>;
}

type PendingAssertion = { identity: StaffIdentity; requestId: string; operation: AssertedOperation };

const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,127}$/;

/**
 * `RemoteGraphQLDataSource` with only what the subgraphs insist on: the caller's identity assertion, signed like
 * the project's gateway signs it (Ed25519 over the exact body sent, for this subgraph only). The body exists
 * only in the fetcher, so willSendRequest leaves a ticket the fetcher swaps for the signature. Node's fetch,
 * no per-call deadline, no metrics or traces.
 */
class AssertingDataSource extends RemoteGraphQLDataSource<PlainGatewayContext> {
  private readonly pending = new Map<string, PendingAssertion>();

  constructor(
    url: string,
    private readonly subgraph: string,
    private readonly signer: AssertionSigner,
  ) {
    super({ url });
    this.fetcher = async (target, init = {}) => {
      const headers: Record<string, string> = { ...init.headers };
      const ticket = headers[IDENTITY_ASSERTION_HEADER];
      const assertion = ticket === undefined ? undefined : this.pending.get(ticket);
      if (ticket !== undefined) this.pending.delete(ticket);
      delete headers[IDENTITY_ASSERTION_HEADER];
      if (assertion) {
        headers[IDENTITY_ASSERTION_HEADER] = await this.signer.sign(assertion.identity, {
          subgraph: this.subgraph,
          requestId: assertion.requestId,
          operation: assertion.operation,
          body: typeof init.body === 'string' ? init.body : '',
        });
      }
      const response = await fetch(target, { ...(init as RequestInit), headers });
      return response as unknown as Awaited<ReturnType<RemoteGraphQLDataSource['fetcher']>>;
    };
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<PlainGatewayContext>): void {
    const headers = options.request.http?.headers;
    if (!headers || !options.context?.identity || !options.request.query) return;
    const incoming = 'incomingRequestContext' in options ? options.incomingRequestContext : undefined;
    const name = incoming?.request.operationName ?? incoming?.operationName ?? null;
    const ticket = randomUUID();
    this.pending.set(ticket, {
      identity: options.context.identity,
      requestId: options.context.requestId,
      operation: {
        hash: createHash('sha256')
          .update(incoming?.request.query ?? '')
          .digest('hex'),
        name: name && OPERATION_NAME.test(name) ? name : null,
      },
    });
    headers.set('x-request-id', options.context.requestId);
    headers.set(IDENTITY_ASSERTION_HEADER, ticket);
  }
}

/**
 * The benchmark's "plain @apollo/gateway" (issue 12): ApolloGateway over the same supergraph and subgraph processes
 * with Apollo Server's standalone HTTP server. It verifies the bearer token (the subgraphs need a caller to
 * assert) and nothing else: no field removal, audit, operation limits, caller limits, metrics or traces.
 */
export async function startPlainGateway(config: GatewayConfig): Promise<RunningPlainGateway> {
  const tokens = createTokenVerifier(config.security.tokens);
  const signer = createAssertionSigner(config.security.assertionSecret, { ttlSeconds: config.security.assertionTtlSeconds });
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(config.supergraphPath, 'utf8'),
    buildService: ({ name, url }) => new AssertingDataSource(config.subgraphUrls[name] ?? url!, name, signer),
  });
  const apollo = new ApolloServer<PlainGatewayContext>({ gateway, includeStacktraceInErrorResponses: false });
  const { url } = await startStandaloneServer(apollo, {
    listen: { host: config.host, port: config.port },
    context: async ({ req }) => {
      try {
        return { identity: await tokens.verify(req.headers.authorization), requestId: randomUUID() };
      } catch {
        throw new GraphQLError('Unauthenticated', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
      }
    },
  });
  return { url, close: () => apollo.stop() };
}
