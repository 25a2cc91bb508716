import { IDENTITY_ASSERTION_HEADER, type AccessPolicy, type StaffIdentity } from '@icg/shared';
import type { ConformanceIdentities } from './conformance-identities';
import { buildIdentityAssertion } from './identity-assertion-builder';
import { conformanceRequestId, type SubgraphClient, type SubgraphResponse } from './subgraph-client';

/** A key value of an entity as `_entities` takes it, e.g. `{ __typename: "Claim", reportNo: "RPT…" }`. */
export type EntityRepresentation = { __typename: string } & Record<string, unknown>;

/** A key given by hand: the value of a single-field key, or every field of a compound one. */
export interface SampleKey {
  typeName: string;
  value: string | Readonly<Record<string, unknown>>;
}

/** What every check group shares for one run. */
export interface ConformanceContext {
  client: SubgraphClient;
  subgraphName: string;
  /** The subgraph's own identity-assertion key (32 bytes). */
  assertionKey: Buffer;
  policy: AccessPolicy;
  identities: ConformanceIdentities;
  /** The subgraph's PSEUDONYM_SECRET when known: roles that pseudonymise identifiers can only be checked with it. */
  pseudonymSecret: string | undefined;
  samplesPerType: number;
  probeIds: number;
}

/** The header the gateway would send for this staff member and this exact body: a fresh valid assertion for this subgraph. */
export function assertionHeaders(context: ConformanceContext, identity: StaffIdentity, body: string): Record<string, string> {
  return {
    [IDENTITY_ASSERTION_HEADER]: buildIdentityAssertion(context.assertionKey, identity, {
      audience: context.subgraphName,
      requestId: conformanceRequestId(),
      body,
    }),
  };
}

/** Runs an operation as the given staff member, with a fresh valid assertion for this subgraph. */
export async function queryAs(
  context: ConformanceContext,
  label: string,
  identity: StaffIdentity,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<SubgraphResponse> {
  // Serialised here, once: the assertion is signed over exactly the bytes sent.
  const body = JSON.stringify({ query, variables });
  return context.client.post(label, body, assertionHeaders(context, identity, body));
}

export const ENTITIES_QUERY_PREFIX = 'query Conformance($representations: [_Any!]!) { _entities(representations: $representations) {';
