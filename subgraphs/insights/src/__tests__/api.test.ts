import { maskValue } from '@icg/shared';
import { earlyWarningRows, insightsSeeder } from '../seed';
import { startSeededSubgraph, type SeededSubgraph } from '../../../../tests/support/seeded-subgraph';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import { insightsSubgraph } from '../index';

const CUSTOMERS = 20;
const FIELDS = 'earlyWarningNo status openedAt amount contactName customer { id }';

describe.each(TEST_DIALECTS)('the insights subgraph on %s', (dialect) => {
  let subgraph: SeededSubgraph;
  beforeAll(async () => {
    subgraph = await startSeededSubgraph({ manifest: insightsSubgraph, seeder: insightsSeeder, dialect, customers: CUSTOMERS });
  });
  afterAll(async () => subgraph?.close());

  const seeded = () => earlyWarningRows(subgraph.facts);

  it('answers a early warning by its number, as the seeder wrote it', async () => {
    const row = seeded()[0]!;
    const response = await subgraph.query('query ($no: String!) { earlyWarning(earlyWarningNo: $no) { ' + FIELDS + ' } }', { no: row.early_warning_no });
    expect(response.errors).toBeUndefined();
    expect(response.data?.['earlyWarning']).toEqual({
      earlyWarningNo: row.early_warning_no,
      status: row.status,
      openedAt: `${String(row.opened_at).replace(' ', 'T')}Z`,
      amount: row.amount,
      contactName: row.contact_name,
      customer: { id: String(row.customer_id) },
    });
  });

  it("lists every customer's early warnings through _entities, newest first, in one batch", async () => {
    const representations = subgraph.facts.customers.map((customer) => ({ __typename: 'Customer', id: String(customer.id) }));
    const response = await subgraph.query(
      'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { id earlyWarnings { earlyWarningNo openedAt } } } }',
      { representations },
    );
    expect(response.errors).toBeUndefined();
    const listed = (response.data?.['_entities'] as { earlyWarnings: { earlyWarningNo: string; openedAt: string }[] }[]).flatMap(
      (customer) => customer.earlyWarnings,
    );
    expect(listed.map((item) => item.earlyWarningNo).sort()).toEqual(
      seeded()
        .map((row) => row.early_warning_no)
        .sort(),
    );
  });

  it('masks the contact and denies the amount to a hotline agent', async () => {
    const row = seeded().find((candidate) => candidate.amount !== null && candidate.contact_name !== null)!;
    const response = await subgraph.query(
      'query ($no: String!) { earlyWarning(earlyWarningNo: $no) { contactName amount } }',
      { no: row.early_warning_no },
      { role: 'HOTLINE_AGENT' },
    );
    expect(response.data?.['earlyWarning']).toEqual({ contactName: maskValue('NAME', row.contact_name!), amount: null });
    expect(response.errors?.map((error) => [error.extensions?.['code'], error.path?.join('.')])).toEqual([['FORBIDDEN_FIELD', 'earlyWarning.amount']]);
  });

  it('answers an unknown number with null and a malformed one with BAD_USER_INPUT naming the argument', async () => {
    const unknown = await subgraph.query('{ earlyWarning(earlyWarningNo: "EW999999999999") { earlyWarningNo } }');
    expect(unknown.data?.['earlyWarning']).toBeNull();
    const malformed = await subgraph.query('{ earlyWarning(earlyWarningNo: "nope") { earlyWarningNo } }');
    expect(malformed.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(malformed.errors?.[0]?.message).toContain('earlyWarningNo');
  });
});
