import { randomBytes } from 'node:crypto';
import { IDENTITY_ASSERTION_HEADER } from '@icg/shared';
import { type ConformanceContext } from './conformance-context';
import { failed, passed, type CheckResult } from './conformance-report';
import { buildIdentityAssertion, withAlgorithm, withAlteredPayload, withAlteredSignature, withoutSignature } from './identity-assertion-builder';
import { conformanceRequestId, isRecord } from './subgraph-client';

/** The smallest operation every GraphQL server answers, as the exact body sent (assertions are signed over it). */
const PROBE_BODY = JSON.stringify({ query: '{ __typename }' });
/** Another operation than the probe: an assertion signed for it must not let the probe through. */
const OTHER_BODY = JSON.stringify({ query: '{ _service { sdl } }' });

/**
 * An audience that is not this subgraph: an assertion the gateway signed for any other subgraph must be
 * refused, whatever that subgraph is called, so no list of the graph's subgraphs is needed here.
 */
export function anotherSubgraphName(name: string): string {
  return `${name}-other`;
}

/**
 * Check group 1: the subgraph answers HTTP 401 to every call without a valid assertion for itself,
 * and serves a call with one. Each refusal is checked on the status alone: a 200 with an error
 * would mean the operation reached the executor.
 */
export async function checkIdentity(context: ConformanceContext): Promise<CheckResult[]> {
  const identity = context.identities.reference.identity;
  const now = Math.floor(Date.now() / 1000);
  const valid = (body = PROBE_BODY) =>
    buildIdentityAssertion(context.assertionKey, identity, { audience: context.subgraphName, requestId: conformanceRequestId(), body });
  // Any key but this subgraph's: another subgraph's, or one of an old deployment.
  const otherKey = randomBytes(32);
  const otherAudience = anotherSubgraphName(context.subgraphName);

  const refusals: { name: string; assertion: string | undefined }[] = [
    { name: 'refuses a call without an assertion', assertion: undefined },
    {
      name: 'refuses an expired assertion',
      assertion: buildIdentityAssertion(context.assertionKey, identity, {
        audience: context.subgraphName,
        requestId: conformanceRequestId(),
        body: PROBE_BODY,
        issuedAt: now - 180,
        lifetimeSeconds: 60,
      }),
    },
    {
      name: `refuses an assertion for another audience ("${otherAudience}")`,
      assertion: buildIdentityAssertion(context.assertionKey, identity, { audience: otherAudience, requestId: conformanceRequestId(), body: PROBE_BODY }),
    },
    { name: 'refuses an assertion whose payload was altered', assertion: withAlteredPayload(valid()) },
    { name: 'refuses an assertion whose signature was altered', assertion: withAlteredSignature(valid()) },
    {
      name: 'refuses an assertion signed by another key',
      assertion: buildIdentityAssertion(otherKey, identity, { audience: context.subgraphName, requestId: conformanceRequestId(), body: PROBE_BODY }),
    },
    // A captured assertion replayed with another operation: its body digest (`bdh`) does not match.
    { name: 'refuses an assertion signed for another request body', assertion: valid(OTHER_BODY) },
    { name: 'refuses an unsigned assertion (alg "none")', assertion: withoutSignature(valid()) },
    { name: 'refuses an assertion in another algorithm (EdDSA, the signature of old)', assertion: withAlgorithm(valid(), 'EdDSA') },
  ];

  const results: CheckResult[] = [];
  for (const refusal of refusals) {
    const headers: Record<string, string> = refusal.assertion === undefined ? {} : { [IDENTITY_ASSERTION_HEADER]: refusal.assertion };
    const response = await context.client.post(`identity: ${refusal.name}`, PROBE_BODY, headers);
    results.push(
      response.status === 401
        ? passed('identity', refusal.name, 'HTTP 401')
        : failed(
            'identity',
            refusal.name,
            `expected HTTP 401, got HTTP ${response.status}${response.data !== undefined ? ' with data (the operation ran)' : ''}`,
          ),
    );
  }

  const accepted = await context.client.post('identity: valid assertion', PROBE_BODY, { [IDENTITY_ASSERTION_HEADER]: valid() });
  const typename = isRecord(accepted.data) ? accepted.data['__typename'] : undefined;
  results.push(
    accepted.status === 200 && typeof typename === 'string'
      ? passed('identity', 'accepts a valid assertion', `HTTP 200, data.__typename = ${typename}`)
      : failed('identity', 'accepts a valid assertion', `expected HTTP 200 with data, got HTTP ${accepted.status}: ${accepted.bodyText.slice(0, 200)}`),
  );
  return results;
}
