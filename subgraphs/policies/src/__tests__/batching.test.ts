import { startSeededSubgraph, type SeededSubgraph } from '../../../../tests/support/seeded-subgraph';
import { countStatements } from '../../../../tests/support/statement-counter';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import { TEST_STORE } from './test-store';

/** Every child list and reference of a policy, two levels deep. */
const POLICY_ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Policy {
  policyNo earnedPremium(asOf: "2026-01-01") customer { id } issuingBranch { id } servicingManager { id }
  participants { name customer { id } } coverages { code premium } insuredObjects { kind plate } renewalReminders { status }
  renewalPolicy { policyNo }
  priorPolicy { policyNo participants { name } coverages { code } insuredObjects { kind } renewalReminders { status } renewalPolicy { policyNo } }
} } }`;

const CUSTOMER_ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer {
  id
  policies { policyNo participants { name } coverages { code } insuredObjects { kind } renewalReminders { status } renewalPolicy { policyNo } }
  inForce: policies(status: IN_FORCE) { policyNo }
  motor: policies(lineOfBusiness: MOTOR) { policyNo }
} } }`;

describe.each(TEST_DIALECTS)('batching on %s', (dialect) => {
  let graph: SeededSubgraph;

  beforeAll(async () => {
    graph = await startSeededSubgraph({ ...TEST_STORE, dialect, customers: 120 });
  });

  afterAll(async () => {
    await graph?.close();
  });

  async function statementsFor(query: string, representations: Record<string, string>[]): Promise<number> {
    return countStatements([graph.running.db], async () => {
      const response = await graph.query<{ _entities: unknown[] }>(query, { r: representations });
      expect(response.errors).toBeUndefined();
      expect(response.data?._entities).toHaveLength(representations.length);
      expect(response.data?._entities.every((entity) => entity !== null)).toBe(true);
    });
  }

  test('50 policies with all their children cost as many statements as 5', async () => {
    // The newest policy of each chain, so no requested policy is another's prior (already cached by the request).
    const priorNos = new Set(graph.facts.policies.map((fact) => fact.priorPolicyNo));
    const renewals = graph.facts.policies.filter((fact) => fact.priorPolicyNo !== null && !priorNos.has(fact.policyNo));
    expect(renewals.length).toBeGreaterThanOrEqual(50);
    const representations = renewals.slice(0, 50).map((fact) => ({ __typename: 'Policy', policyNo: fact.policyNo }));

    const forFive = await statementsFor(POLICY_ENTITIES, representations.slice(0, 5));
    const forFifty = await statementsFor(POLICY_ENTITIES, representations);

    expect(forFifty).toBe(forFive);
    // One statement per level and relation: the policies, their four child lists, prior and renewal, the prior's.
    expect(forFifty).toBeLessThanOrEqual(12);
  });

  test('50 customers with their policies and the policies children cost as many statements as 5', async () => {
    const representations = graph.facts.customers.slice(0, 50).map((customer) => ({ __typename: 'Customer', id: String(customer.id) }));

    const forFive = await statementsFor(CUSTOMER_ENTITIES, representations.slice(0, 5));
    const forFifty = await statementsFor(CUSTOMER_ENTITIES, representations);

    expect(forFifty).toBe(forFive);
    expect(forFifty).toBeLessThanOrEqual(8);
  });
});
