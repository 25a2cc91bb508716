import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { DEFAULT_SUPERGRAPH_PATH } from '@icg/gateway';
import { classificationSdl, loadAccessPolicy } from '@icg/shared';
import { composeRegisteredSubgraphs } from '../compose-subgraphs';
import {
  DEFAULT_ACKNOWLEDGEMENTS_PATH,
  loadSchemaChangeAcknowledgements,
  NO_ACKNOWLEDGEMENTS,
  parseSchemaChangeAcknowledgements,
  SchemaChangeAcknowledgementsError,
  type SchemaChangeAcknowledgements,
} from '../schema-change-acknowledgements';
import { checkSchemaChanges, formatSchemaChangeReport, NON_NULL_OUTPUT_FIELD_REASON, type SchemaChangeReport } from '../schema-change-check';
import { composeSupergraph } from '../supergraph-composition';

/** One tiny subgraph; each test edits its SDL the way a developer would edit a schema file. */
const CUSTOMERS_SDL = `
  type Query {
    customer(id: ID! @classified(tier: INTERNAL, category: IDENTITY)): Customer @classified(tier: INTERNAL)
    customers(branch: String): [Customer!]! @classified(tier: INTERNAL)
  }
  type Customer @key(fields: "id") {
    id: ID! @classified(tier: INTERNAL, category: IDENTITY)
    name: String @classified(tier: CONFIDENTIAL, category: IDENTITY, mask: NAME)
    mobile: String @classified(tier: CONFIDENTIAL, category: CONTACT, mask: MOBILE)
    diagnosis: String @classified(tier: RESTRICTED, category: HEALTH)
    fraudNote: String @classified(tier: RESTRICTED, category: GENERAL)
    segment: String @classified(tier: INTERNAL)
  }
`;

function supergraphOf(customersSdl: string): string {
  return composeSupergraph([{ name: 'customers', url: 'http://127.0.0.1:1/customers', typeDefs: parse(`${classificationSdl()}\n${customersSdl}`) }]);
}

/** Replaces exactly one occurrence, so a fixture edit that no longer applies fails loudly. */
function edited(sdl: string, search: string, replacement: string): string {
  expect(sdl.split(search)).toHaveLength(2);
  return sdl.replace(search, replacement);
}

const committed = supergraphOf(CUSTOMERS_SDL);

async function checkEdit(
  search: string,
  replacement: string,
  acknowledgements: SchemaChangeAcknowledgements = NO_ACKNOWLEDGEMENTS,
): Promise<SchemaChangeReport> {
  return checkSchemaChanges(committed, supergraphOf(edited(CUSTOMERS_SDL, search, replacement)), acknowledgements);
}

const acknowledging = (yaml: string) => parseSchemaChangeAcknowledgements(yaml, 'test.yaml');

describe('checkSchemaChanges: the acceptance criteria', () => {
  it('fails on a removed field', async () => {
    const report = await checkEdit('mobile: String @classified(tier: CONFIDENTIAL, category: CONTACT, mask: MOBILE)', '');
    expect(report.passed).toBe(false);
    expect(report.schemaChanges).toContainEqual(
      expect.objectContaining({ level: 'BREAKING', coordinate: 'Customer.mobile', changeType: 'FIELD_REMOVED', acknowledged: null }),
    );
    expect(formatSchemaChangeReport(report)).toMatch(/BREAKING {2}Customer\.mobile: Field 'mobile' was removed from object type 'Customer' \[FIELD_REMOVED\]/);
  });

  it('fails on an output field made non-null, which graphql-inspector alone calls safe, and says why', async () => {
    const report = await checkEdit('segment: String @', 'segment: String! @');
    expect(report.passed).toBe(false);
    expect(report.schemaChanges).toEqual([
      expect.objectContaining({ level: 'BREAKING', coordinate: 'Customer.segment', changeType: 'FIELD_TYPE_CHANGED', reason: NON_NULL_OUTPUT_FIELD_REASON }),
    ]);
    expect(formatSchemaChangeReport(report)).toContain(`why: ${NON_NULL_OUTPUT_FIELD_REASON}`);
  });

  it('fails on an argument made non-null', async () => {
    const report = await checkEdit('customers(branch: String)', 'customers(branch: String!)');
    expect(report.passed).toBe(false);
    expect(report.schemaChanges).toContainEqual(
      expect.objectContaining({ level: 'BREAKING', coordinate: 'Query.customers.branch', changeType: 'FIELD_ARGUMENT_TYPE_CHANGED' }),
    );
  });

  it('fails on a CONFIDENTIAL field reclassified INTERNAL', async () => {
    const report = await checkEdit('mobile: String @classified(tier: CONFIDENTIAL,', 'mobile: String @classified(tier: INTERNAL,');
    expect(report.passed).toBe(false);
    expect(report.schemaChanges).toEqual([]);
    expect(report.classificationChanges).toEqual([
      {
        coordinate: 'Customer.mobile',
        from: 'CONFIDENTIAL/CONTACT/MOBILE',
        to: 'INTERNAL/CONTACT/MOBILE',
        verdict: 'WEAKENED',
        findings: ['tier lowered: CONFIDENTIAL → INTERNAL'],
        acknowledged: null,
      },
    ]);
  });

  it('passes on an added nullable field', async () => {
    const report = await checkEdit(
      'segment: String @classified(tier: INTERNAL)',
      'segment: String @classified(tier: INTERNAL)\n    email: String @classified(tier: CONFIDENTIAL, category: CONTACT, mask: EMAIL)',
    );
    expect(report.passed).toBe(true);
    expect(report.schemaChanges).toEqual([expect.objectContaining({ level: 'SAFE', coordinate: 'Customer.email', changeType: 'FIELD_ADDED' })]);
    expect(report.classificationChanges).toEqual([]);
    expect(formatSchemaChangeReport(report)).toMatch(/Summary: 0 breaking \(0 not acknowledged\), 0 dangerous, 1 safe, .*: check passed\n$/);
  });
});

describe('checkSchemaChanges: acknowledgements', () => {
  it('passes on an acknowledged breaking change', async () => {
    const acknowledgements = acknowledging(`
breakingChanges:
  - coordinate: Customer.mobile
    change: FIELD_REMOVED
    reason: Moved to the contact subgraph; the call-centre client migrated.
`);
    const report = await checkEdit('mobile: String @classified(tier: CONFIDENTIAL, category: CONTACT, mask: MOBILE)', '', acknowledgements);
    expect(report.passed).toBe(true);
    expect(report.schemaChanges).toContainEqual(
      expect.objectContaining({
        level: 'BREAKING',
        coordinate: 'Customer.mobile',
        acknowledged: 'Moved to the contact subgraph; the call-centre client migrated.',
      }),
    );
    expect(report.unusedAcknowledgements).toEqual([]);
    expect(formatSchemaChangeReport(report)).toContain('BREAKING (acknowledged) Customer.mobile');
  });

  it('does not let an acknowledgement of one change cover another, and warns about the one that matched nothing', async () => {
    const acknowledgements = acknowledging(`
breakingChanges:
  - { coordinate: Customer.name, change: FIELD_REMOVED, reason: wrong field }
`);
    const report = await checkEdit('mobile: String @classified(tier: CONFIDENTIAL, category: CONTACT, mask: MOBILE)', '', acknowledgements);
    expect(report.passed).toBe(false);
    expect(report.unusedAcknowledgements).toEqual(['breakingChanges: Customer.name FIELD_REMOVED matches no breaking change']);
    expect(formatSchemaChangeReport(report)).toContain('warning: stale acknowledgement, remove it: breakingChanges: Customer.name FIELD_REMOVED');
  });

  it('passes on a classification weakening acknowledged with the exact old and new classification only', async () => {
    const weakening = (to: string) =>
      acknowledging(`
classificationWeakenings:
  - coordinate: Customer.mobile
    from: CONFIDENTIAL/CONTACT/MOBILE
    to: ${to}
    reason: Over-classified by mistake; agreed with the data-protection officer.
`);
    const search = 'mobile: String @classified(tier: CONFIDENTIAL,';
    const replacement = 'mobile: String @classified(tier: INTERNAL,';
    expect((await checkEdit(search, replacement, weakening('INTERNAL/CONTACT/MOBILE'))).passed).toBe(true);
    const notMatching = await checkEdit(search, replacement, weakening('INTERNAL/CONTACT'));
    expect(notMatching.passed).toBe(false);
    expect(notMatching.unusedAcknowledgements).toEqual([
      'classificationWeakenings: Customer.mobile CONFIDENTIAL/CONTACT/MOBILE → INTERNAL/CONTACT matches no classification weakening',
    ]);
  });
});

describe('checkSchemaChanges: classification weakenings', () => {
  it('fails on a category weakening from a special category to GENERAL', async () => {
    const report = await checkEdit('category: HEALTH', 'category: GENERAL');
    expect(report.passed).toBe(false);
    expect(report.classificationChanges).toEqual([
      expect.objectContaining({
        coordinate: 'Customer.diagnosis',
        from: 'RESTRICTED/HEALTH',
        to: 'RESTRICTED/GENERAL',
        verdict: 'WEAKENED',
        findings: ['category less protected: HEALTH → GENERAL'],
      }),
    ]);
  });

  it('fails on a change between two categories of the same level, which are not comparable', async () => {
    const report = await checkEdit('category: HEALTH', 'category: CREDIT');
    expect(report.passed).toBe(false);
    expect(report.classificationChanges[0]?.findings).toEqual([expect.stringMatching(/^category changed: HEALTH → CREDIT/)]);
  });

  it('fails on a removed classification', async () => {
    // Composition refuses an unclassified field, so the supergraph text is edited, as a lost directive would leave it.
    const proposed = edited(committed, 'fraudNote: String @classified(tier: RESTRICTED, category: GENERAL)', 'fraudNote: String');
    const report = await checkSchemaChanges(committed, proposed, NO_ACKNOWLEDGEMENTS);
    expect(report.passed).toBe(false);
    expect(report.classificationChanges).toEqual([
      expect.objectContaining({
        coordinate: 'Customer.fraudNote',
        from: 'RESTRICTED/GENERAL',
        to: 'UNCLASSIFIED',
        verdict: 'WEAKENED',
        findings: [expect.stringMatching(/^classification removed/)],
      }),
    ]);
  });

  it('fails on a mask style added or changed, and passes on one removed (MASK then means DENY)', async () => {
    expect(
      (
        await checkEdit(
          'fraudNote: String @classified(tier: RESTRICTED, category: GENERAL)',
          'fraudNote: String @classified(tier: RESTRICTED, category: GENERAL, mask: NAME)',
        )
      ).passed,
    ).toBe(false);
    expect((await checkEdit('mask: MOBILE', 'mask: NAME')).passed).toBe(false);
    const removed = await checkEdit('category: CONTACT, mask: MOBILE', 'category: CONTACT');
    expect(removed.passed).toBe(true);
    expect(removed.classificationChanges).toEqual([
      expect.objectContaining({ verdict: 'TIGHTENED', findings: ['mask style removed: MOBILE (where the policy says MASK, callers now get a denial)'] }),
    ]);
  });

  it('passes on a tightening and reports it', async () => {
    const report = await checkEdit('segment: String @classified(tier: INTERNAL)', 'segment: String @classified(tier: CONFIDENTIAL, category: FINANCIAL)');
    expect(report.passed).toBe(true);
    expect(report.classificationChanges).toEqual([
      expect.objectContaining({
        coordinate: 'Customer.segment',
        verdict: 'TIGHTENED',
        findings: ['tier raised: INTERNAL → CONFIDENTIAL', 'category more protected: GENERAL → FINANCIAL'],
      }),
    ]);
  });

  it('with the access policy, fails on a label tightening that lets a role read more under the policy', async () => {
    // RESTRICTED/GENERAL → RESTRICTED/HEALTH looks stricter, but claims adjusters' HEALTH exception is ALLOW on their own claims.
    const proposed = supergraphOf(
      edited(
        CUSTOMERS_SDL,
        'fraudNote: String @classified(tier: RESTRICTED, category: GENERAL)',
        'fraudNote: String @classified(tier: RESTRICTED, category: HEALTH)',
      ),
    );
    expect((await checkSchemaChanges(committed, proposed)).passed).toBe(true);
    const report = await checkSchemaChanges(committed, proposed, NO_ACKNOWLEDGEMENTS, { policy: loadAccessPolicy() });
    expect(report.passed).toBe(false);
    expect(report.classificationChanges[0]?.findings).toContainEqual(
      expect.stringMatching(/^under access policy .*, a role reads more: CLAIMS_ADJUSTER gets ALLOW instead of (MASK|DENY) on their own records, purpose /),
    );
  });
});

describe('formatSchemaChangeReport', () => {
  it('says the supergraph is current when nothing changed', async () => {
    expect(formatSchemaChangeReport(await checkSchemaChanges(committed, committed))).toBe('supergraph is current\n');
  });
});

describe('parseSchemaChangeAcknowledgements', () => {
  it('reads the committed file: an explained, empty list', () => {
    expect(loadSchemaChangeAcknowledgements(DEFAULT_ACKNOWLEDGEMENTS_PATH)).toEqual({ breakingChanges: [], classificationWeakenings: [] });
  });

  it('names every bad entry', () => {
    const problemsOf = (yaml: string): readonly string[] => {
      try {
        acknowledging(yaml);
      } catch (error) {
        expect(error).toBeInstanceOf(SchemaChangeAcknowledgementsError);
        return (error as SchemaChangeAcknowledgementsError).problems;
      }
      throw new Error('parsing was expected to fail');
    };
    expect(
      problemsOf(`
breakingChanges:
  - { coordinate: Customer.mobile, change: FIELD_REMOVED, reason: fine }
  - { coordinate: Customer.mobile, change: FIELD_GONE, reason: "" }
  - { coordinate: "Customer mobile", change: FIELD_REMOVED, reason: x, ticket: 12 }
classificationWeakenings:
  - { coordinate: Customer.mobile, from: CONFIDENTIAL/CONTACT, to: SECRET/CONTACT, reason: x }
acknowledged: []
`),
    ).toEqual([
      'acknowledged: unknown key; expected one of breakingChanges, classificationWeakenings',
      'breakingChanges[1].change: "FIELD_GONE" is not a graphql-inspector change type such as FIELD_REMOVED',
      'breakingChanges[1].reason: must be a non-empty string, got ""',
      'breakingChanges[2].ticket: unknown key; expected one of coordinate, change, reason',
      'breakingChanges[2].coordinate: "Customer mobile" is not a schema coordinate such as Customer.mobile',
      'classificationWeakenings[0].to: "SECRET/CONTACT" is not TIER/CATEGORY or TIER/CATEGORY/MASK (e.g. CONFIDENTIAL/CONTACT/MOBILE) or UNCLASSIFIED',
    ]);
    expect(
      problemsOf('breakingChanges:\n  - { coordinate: A.b, change: FIELD_REMOVED, reason: x }\n  - { coordinate: A.b, change: FIELD_REMOVED, reason: y }\n'),
    ).toEqual(['breakingChanges[1]: repeats breakingChanges[0]']);
    expect(problemsOf('breakingChanges: {}\n')).toEqual(['breakingChanges: must be a list, got a mapping']);
  });
});

describe('the repository', () => {
  it('has no unacknowledged breaking change or classification weakening between the committed supergraph and the current subgraphs', async () => {
    const report = await checkSchemaChanges(readFileSync(DEFAULT_SUPERGRAPH_PATH, 'utf8'), composeRegisteredSubgraphs(), loadSchemaChangeAcknowledgements(), {
      policy: loadAccessPolicy(),
    });
    expect(report.schemaChanges.filter((change) => change.level === 'BREAKING' && change.acknowledged === null)).toEqual([]);
    expect(report.classificationChanges.filter((change) => change.verdict === 'WEAKENED' && change.acknowledged === null)).toEqual([]);
    expect(report.passed).toBe(true);
  });
});
