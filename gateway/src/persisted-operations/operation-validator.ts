/**
 * Checks a document offered for registration as the gateway would check it on every call: the text limits, the
 * parser's token limit, graphql's validation and the query-shape limits (depth, aliases, directives, cost). A role
 * whose policy says `neverReadable: unknown` is validated against its own schema, so registering cannot be used to
 * learn that a hidden field exists (it is refused as a field that does not exist).
 */
import { GraphQLError, Kind, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { GatewaySchemaLoadOrUpdateCallback, GatewayUnsubscriber } from '@apollo/server-gateway-interface';
import { screenOperationText, type AccessPolicy, type OperationLimitProtection, type StaffIdentity } from '@icg/shared';
import { OperationAccessFilter, RoleSchemas, readFieldClassifications } from '../access';

/** Apollo Server's own suggestion stripping, as in role-operation-validation.ts: suggestions would leak the schema. */
const SUGGESTION = / ?Did you mean(.+?)\?$/;

export type OperationCheck = { ok: true; document: DocumentNode; operationNames: string[] } | { ok: false; problems: string[] };

interface SchemaState {
  apiSchema: GraphQLSchema;
  roleSchemas: RoleSchemas;
}

export class OperationValidator {
  private state: SchemaState | undefined;

  constructor(
    private readonly policy: AccessPolicy,
    private readonly limits: OperationLimitProtection,
  ) {}

  /** Follows the gateway's schema (register before Apollo Server starts, so the first load is seen). */
  listenTo(gateway: { onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback): GatewayUnsubscriber }): GatewayUnsubscriber {
    return gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
      const filter = new OperationAccessFilter({ schema: apiSchema, classifications: readFieldClassifications(coreSupergraphSdl) });
      this.state = { apiSchema, roleSchemas: new RoleSchemas(apiSchema, (subject) => filter.neverReadableFields(subject)) };
    });
  }

  private schemaFor(identity: StaffIdentity, state: SchemaState): GraphQLSchema {
    if (this.policy.roles[identity.role]?.neverReadable !== 'unknown') return state.apiSchema;
    return state.roleSchemas.schemaFor({ policy: this.policy, role: identity.role, purpose: identity.purpose });
  }

  check(text: unknown, identity: StaffIdentity): OperationCheck {
    const state = this.state;
    if (!state) return { ok: false, problems: ['the gateway has not loaded its schema yet; try again shortly'] };
    if (typeof text !== 'string' || text.trim() === '') return { ok: false, problems: ['must be a non-empty GraphQL document'] };
    const screened = screenOperationText(text);
    if (screened) return { ok: false, problems: [screened.message] };
    let document: DocumentNode;
    try {
      document = parse(text, this.limits.parseOptions);
    } catch (error) {
      return { ok: false, problems: [error instanceof GraphQLError ? error.message : 'is not a GraphQL document'] };
    }
    let schema: GraphQLSchema;
    try {
      schema = this.schemaFor(identity, state);
    } catch (error) {
      // The role may read no root field at all: nothing it could register would run.
      if (error instanceof GraphQLError) return { ok: false, problems: [error.message] };
      throw error;
    }
    const errors = validate(schema, document, [...specifiedRules, ...this.limits.validationRules], { maxErrors: 20 });
    if (errors.length > 0) return { ok: false, problems: [...new Set(errors.map((error) => error.message.replace(SUGGESTION, '')))] };
    const operationNames: string[] = [];
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      // The gateway serves no subscriptions; refused here rather than on every call.
      if (definition.operation === 'subscription') return { ok: false, problems: ['subscriptions cannot be registered: the gateway serves none'] };
      if (definition.name) operationNames.push(definition.name.value);
    }
    return { ok: true, document, operationNames };
  }
}
