/**
 * The gateway layer of field-level access (docs/access-model.md section 6), as a wrapper around ApolloGateway that
 * Apollo Server takes in its place: `new ApolloServer({ gateway: new EnforcingGateway({ gateway, policy }) })`.
 *
 * Per request the executor (0) for a role whose policy says `neverReadable: unknown`, validates the operation
 * against the role's schema, so a field it may never read is refused as an unknown field, (1) removes the fields
 * the caller's role may read in no scope, (2) hands the rewritten document to the real executor under an
 * operation hash of its own, (3) answers introspection from the role's schema, and (4) puts `null` and a
 * FORBIDDEN_FIELD error (without the tier) where each removed field would have been.
 *
 * Why a new hash works: ApolloGateway caches query plans under `requestContext.queryHash` (combined with the
 * operation name) and never hashes the document itself (`executor` in @apollo/gateway/dist/index.js,
 * `queryPlanStoreKey`). Apollo Server builds a fresh request-context object for every gateway call
 * (`makeGatewayGraphQLRequestContext`), so passing the real executor a copy with our `document` and our
 * `queryHash` is all it takes; nothing of the gateway's internals is touched. Our hash covers the rewritten
 * document, the policy version, the role and the purpose, so two roles never share a plan, and a plan always
 * belongs to the document it was built from.
 */
import { execute, GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type {
  GatewayApolloConfig,
  GatewayExecutionResult,
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
  GatewayLoadResult,
  GatewaySchemaLoadOrUpdateCallback,
  GatewayUnsubscriber,
} from '@apollo/server-gateway-interface';
import type { AccessPolicy, StaffIdentity, Tier } from '@icg/shared';
import { readFieldClassifications } from './field-classifications';
import { accessSubjectKey, type AccessSubject } from './never-readable-fields';
import { OperationAccessFilter } from './operation-access-filter';
import { restoreRemovedFields, type RemovedFieldDenial, type ResponseData } from './restore-removed-fields';
import { RoleOperationValidation } from './role-operation-validation';
import { RoleSchemas } from './role-schema';

/** What the gateway needs from the per-request context Apollo Server passes (`contextValue`, `context` in a gateway call). */
export interface AccessRequestContext {
  /** Established by authentication; a request without it is refused. */
  identity: StaffIdentity;
  /** Links the gateway's denials to the subgraphs' records of the same request in the audit trail. */
  requestId?: string;
}

/** A field the gateway removed, as answered at one response path (for the audit trail, section 7). */
export interface GatewayDenial {
  coordinate: string;
  tier: Tier;
  path: ReadonlyArray<string | number>;
  decisionId: string;
  policyVersion: string;
  identity: StaffIdentity;
  requestId: string;
  operationName: string | null;
  /** The client's operation hash (not the per-role planning hash). */
  queryHash: string;
}

export interface EnforcingGatewayOptions {
  /** The gateway that plans and executes, usually an ApolloGateway (not yet loaded). */
  gateway: GatewayInterface;
  /** The policy, or a function returning the current one (a reviewed change then applies without a restart). */
  policy: AccessPolicy | (() => AccessPolicy);
  /** Filtered operations remembered across callers (bounded LRU); 2,000 by default. */
  maxCachedOperations?: number;
  /** Told about every answer the gateway denied; the subgraphs never see these fields, so they cannot audit them. */
  onDenied?: (denials: readonly GatewayDenial[]) => void;
}

/** Everything derived from one schema: replaced as a whole when the supergraph changes. */
interface AccessState {
  apiSchema: GraphQLSchema;
  filter: OperationAccessFilter;
  roleSchemas: RoleSchemas;
  roleValidation: RoleOperationValidation;
}

export class EnforcingGateway implements GatewayInterface {
  private readonly inner: GatewayInterface;
  private readonly policy: () => AccessPolicy;
  private readonly onDenied: EnforcingGatewayOptions['onDenied'];
  private readonly stopListening: GatewayUnsubscriber;
  private state: AccessState | undefined;

  constructor(options: EnforcingGatewayOptions) {
    this.inner = options.gateway;
    const policy = options.policy;
    this.policy = typeof policy === 'function' ? policy : () => policy;
    this.onDenied = options.onDenied;
    // Registered before Apollo Server's own listener, so the access state is ready before the new schema is used.
    this.stopListening = this.inner.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
      const filter = new OperationAccessFilter({
        schema: apiSchema,
        classifications: readFieldClassifications(coreSupergraphSdl),
        ...(options.maxCachedOperations !== undefined ? { maxCachedOperations: options.maxCachedOperations } : {}),
      });
      this.state = {
        apiSchema,
        filter,
        roleSchemas: new RoleSchemas(apiSchema, (subject) => filter.neverReadableFields(subject)),
        roleValidation: new RoleOperationValidation(options.maxCachedOperations),
      };
    });
  }

  /**
   * Apollo Server validates a document against the full API schema before the executor sees it, and its errors
   * would tell a hidden field from a made-up one ("must have a selection of subfields", "Unknown argument" on a
   * hidden field). For `neverReadable: unknown` roles this plugin puts the role schema's errors in their place.
   * It relies on Apollo Server handing validationDidEnd the very array it then answers with (as its own
   * DisableSuggestions plugin relies on rewriting those errors). Valid documents are checked by the executor.
   */
  validationPlugin(): ApolloServerPlugin<BaseContext> {
    return {
      requestDidStart: async () => ({
        validationDidStart: async (requestContext) => async (errors) => {
          const state = this.state;
          const identity = identityOf(requestContext.contextValue);
          if (!errors?.length || !state || !identity) return;
          const subject: AccessSubject = { policy: this.policy(), role: identity.role, purpose: identity.purpose };
          let roleErrors: Error[];
          try {
            roleErrors = roleValidationErrors(state, subject, requestContext.document, requestContext.queryHash);
          } catch (error) {
            // The role schema refused to exist (the role may read no root field): that is the answer.
            if (!(error instanceof GraphQLError)) throw error;
            roleErrors = [error];
          }
          if (roleErrors.length > 0) (errors as Error[]).splice(0, errors.length, ...roleErrors);
        },
      }),
    };
  }

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback): GatewayUnsubscriber {
    return this.inner.onSchemaLoadOrUpdate(callback);
  }

  async load(options: { apollo: GatewayApolloConfig }): Promise<GatewayLoadResult & { schema: GraphQLSchema }> {
    const loaded = await this.inner.load(options);
    const innerExecutor = loaded.executor;
    if (!innerExecutor) throw new Error('The wrapped gateway returned no executor');
    if (!this.state) throw new Error('The wrapped gateway loaded without reporting its schema');
    return { ...loaded, schema: this.state.apiSchema, executor: (requestContext) => this.execute(requestContext, innerExecutor) };
  }

  async stop(): Promise<void> {
    this.stopListening();
    await this.inner.stop();
  }

  private async execute(requestContext: GatewayGraphQLRequestContext, innerExecutor: GatewayExecutor): Promise<GatewayExecutionResult> {
    const state = this.state;
    if (!state) throw new Error('The gateway has no schema yet');
    const identity = identityOf(requestContext.context);
    if (!identity) return { errors: [new GraphQLError('Authentication required', { extensions: { code: 'UNAUTHENTICATED' } })] };
    const policy = this.policy();
    const subject: AccessSubject = { policy, role: identity.role, purpose: identity.purpose };
    try {
      return await this.executeFiltered(state, subject, identity, requestContext, innerExecutor);
    } catch (error) {
      // Client errors from the filter (unknown operation, reserved alias) or the role schema.
      if (error instanceof GraphQLError) return { errors: [error] };
      throw error;
    }
  }

  private async executeFiltered(
    state: AccessState,
    subject: AccessSubject,
    identity: StaffIdentity,
    requestContext: GatewayGraphQLRequestContext,
    innerExecutor: GatewayExecutor,
  ): Promise<GatewayExecutionResult> {
    // Refused as Apollo Server refuses an invalid document: HTTP 400, GRAPHQL_VALIDATION_FAILED.
    const refusal = roleValidationErrors(state, subject, requestContext.document, requestContext.queryHash, REFUSAL_EXTENSIONS);
    if (refusal.length > 0) return { errors: refusal };
    const operationName = requestContext.request.operationName ?? null;
    const filtered = state.filter.filterOperation(subject, requestContext.document, operationName, requestContext.queryHash);

    let introspection: GatewayExecutionResult | null = null;
    if (filtered.introspectionDocument) {
      // `__typename` alone reveals nothing: only `__schema`/`__type` need (and build) the role's schema.
      const schema = filtered.introspectsSchema ? state.roleSchemas.schemaFor(subject) : state.apiSchema;
      introspection = executeLocally(schema, filtered.introspectionDocument, requestContext);
    }
    let result: GatewayExecutionResult;
    if (!filtered.needsSubgraphs && introspection) {
      result = introspection;
    } else {
      // `source` stays the client's text: the gateway plans from `document`, and the text is only reported.
      const planned = await innerExecutor({ ...requestContext, document: filtered.document, operation: filtered.operation, queryHash: filtered.operationHash });
      result = introspection ? mergeRootFields(planned, introspection, filtered.rootResponseKeys) : planned;
    }
    if (filtered.removed.length === 0 && !filtered.addedTypename) return result;

    const restored = restoreRemovedFields(result.data as ResponseData | null | undefined, filtered, {
      policyVersion: subject.policy.version,
      variables: requestContext.request.variables,
    });
    const requestId = (requestContext.context as Partial<AccessRequestContext> | undefined)?.requestId ?? 'unknown';
    if (restored.denials.length > 0) this.reportDenials(restored.denials, subject.policy.version, identity, requestId, operationName, requestContext.queryHash);
    const errors = [...(result.errors ?? []), ...restored.errors];
    return { ...result, data: restored.data, ...(errors.length > 0 ? { errors } : {}) };
  }

  private reportDenials(
    denials: readonly RemovedFieldDenial[],
    policyVersion: string,
    identity: StaffIdentity,
    requestId: string,
    operationName: string | null,
    queryHash: string,
  ): void {
    if (!this.onDenied) return;
    this.onDenied(
      denials.map((denial) => ({
        ...denial,
        policyVersion,
        identity,
        requestId,
        operationName,
        queryHash,
      })),
    );
  }
}

const REFUSAL_EXTENSIONS = { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } as const;

/** The document's errors against the role's schema when the role's policy says `neverReadable: unknown`; else none. */
function roleValidationErrors(
  state: AccessState,
  subject: AccessSubject,
  document: DocumentNode,
  queryHash: string,
  extensions?: Readonly<Record<string, unknown>>,
): GraphQLError[] {
  if (subject.policy.roles[subject.role]?.neverReadable !== 'unknown') return [];
  const cacheKey = JSON.stringify([accessSubjectKey(subject), queryHash]);
  return state.roleValidation.errorsFor(state.roleSchemas.schemaFor(subject), document, cacheKey, extensions);
}

/** Introspection and root `__typename`, with graphql's own executor: no plan, no subgraph. */
function executeLocally(schema: GraphQLSchema, document: DocumentNode, requestContext: GatewayGraphQLRequestContext): GatewayExecutionResult {
  const result = execute({
    schema,
    document,
    variableValues: requestContext.request.variables ?? {},
    operationName: requestContext.request.operationName ?? null,
    contextValue: requestContext.context,
  });
  // Introspection resolvers are synchronous; a promise here would mean a data field slipped through.
  if (result instanceof Promise) throw new Error('Introspection answered asynchronously');
  return result as GatewayExecutionResult;
}

function identityOf(context: unknown): StaffIdentity | null {
  const identity = (context as Partial<AccessRequestContext> | null | undefined)?.identity;
  return identity && typeof identity.role === 'string' ? identity : null;
}

/** The planned data fields and the introspection answer, in the operation's root order. */
function mergeRootFields(planned: GatewayExecutionResult, introspection: GatewayExecutionResult, rootResponseKeys: readonly string[]): GatewayExecutionResult {
  const errors = [...(planned.errors ?? []), ...(introspection.errors ?? [])];
  let data: Record<string, unknown> | null | undefined = planned.data;
  if (planned.data && introspection.data) {
    const sources = [planned.data, introspection.data];
    data = {};
    for (const key of rootResponseKeys) {
      const source = sources.find((candidate) => Object.hasOwn(candidate, key));
      if (source) data[key] = source[key];
    }
  }
  return { ...planned, data, ...(errors.length > 0 ? { errors } : {}) };
}
