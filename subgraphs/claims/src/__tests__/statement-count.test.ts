import { startSeededSubgraph, type SeededSubgraph } from '../../../../tests/support/seeded-subgraph';
import { isBackgroundStatement } from '../../../../tests/support/statement-counter';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import { TEST_STORE } from './test-store';

const CLAIM_WITH_LISTS = `
  reportNo status paid
  participants { role name }
  surveyTasks { status surveyor { id } }
  lossAssessments { assessedAmount }
  payments { amount }`;

/** One statement for the claims, one per child table: the count must not depend on how many parents. */
const CLAIMS_AND_FOUR_CHILD_TABLES = 5;

describe.each(TEST_DIALECTS)('SQL statements per request over %s (no N+1)', (dialect) => {
  let claims: SeededSubgraph;
  const statements: string[] = [];

  beforeAll(async () => {
    claims = await startSeededSubgraph({ ...TEST_STORE, dialect, customers: 600 });
    // Background work (the outbox relay's polls, the audit hand-over's sweeps) aside: only the request's statements count.
    claims.running.db.on('query', (query: { sql: string }) => {
      if (!isBackgroundStatement(query.sql)) statements.push(query.sql);
    });
  });
  afterAll(async () => {
    await claims?.close();
  });

  async function statementsFor(query: string, variables: Record<string, unknown>): Promise<string[]> {
    statements.length = 0;
    const response = await claims.query<{ _entities?: unknown[] }>(query, variables);
    expect(response.errors).toBeUndefined();
    return [...statements];
  }

  const customersWithClaims = (): number[] => [...new Set(claims.facts.claims.map((claim) => claim.customerId))];
  const policiesWithClaims = (): string[] => [...new Set(claims.facts.claims.map((claim) => claim.policyNo))];

  it('resolves 50 Claim references with their lists in as many statements as 5', async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Claim { ${CLAIM_WITH_LISTS} } } }`;
    const representations = claims.facts.claims.slice(0, 50).map((claim) => ({ __typename: 'Claim', reportNo: claim.reportNo }));
    expect(representations).toHaveLength(50);
    const five = await statementsFor(query, { r: representations.slice(0, 5) });
    const fifty = await statementsFor(query, { r: representations });
    expect(fifty).toHaveLength(five.length);
    expect(fifty).toHaveLength(CLAIMS_AND_FOUR_CHILD_TABLES);
  });

  it("lists 50 customers' claims with their lists in as many statements as 5", async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id claims { ${CLAIM_WITH_LISTS} } } } }`;
    const representations = customersWithClaims()
      .slice(0, 50)
      .map((id) => ({ __typename: 'Customer', id: String(id) }));
    expect(representations).toHaveLength(50);
    const five = await statementsFor(query, { r: representations.slice(0, 5) });
    const fifty = await statementsFor(query, { r: representations });
    expect(fifty).toHaveLength(five.length);
    expect(fifty).toHaveLength(CLAIMS_AND_FOUR_CHILD_TABLES);
  });

  it("lists 50 policies' claims, and each claim's policy's claims, in as many statements as 5", async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Policy { policyNo claims { ${CLAIM_WITH_LISTS} policy { claims { reportNo } } } } } }`;
    const representations = policiesWithClaims()
      .slice(0, 50)
      .map((policyNo) => ({ __typename: 'Policy', policyNo }));
    expect(representations).toHaveLength(50);
    const five = await statementsFor(query, { r: representations.slice(0, 5) });
    const fifty = await statementsFor(query, { r: representations });
    expect(fifty).toHaveLength(five.length);
    expect(fifty).toHaveLength(CLAIMS_AND_FOUR_CHILD_TABLES);
  });

  // Seven lookups by number and seven by id (14 aliases) stay within the alias limit the subgraph shares with the gateway.
  it('answers 7 claims looked up by number and by id in as many statements as 2', async () => {
    const aliased = (count: number): string =>
      `{ ${claims.facts.claims
        .slice(0, count)
        .map((claim, index) => `c${index}: claim(reportNo: "${claim.reportNo}") { ${CLAIM_WITH_LISTS} } i${index}: claimById(id: "${claim.id}") { reportNo }`)
        .join(' ')} }`;
    const two = await statementsFor(aliased(2), {});
    const seven = await statementsFor(aliased(7), {});
    expect(seven).toHaveLength(two.length);
    // By report number and by id are two lookups, then one per child table.
    expect(seven).toHaveLength(CLAIMS_AND_FOUR_CHILD_TABLES + 1);
  });
});
