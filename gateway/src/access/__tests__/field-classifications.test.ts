import { isInterfaceType, isObjectType } from 'graphql';
import { UNCLASSIFIED } from '@icg/shared';
import { classificationFor, readFieldClassifications } from '../field-classifications';
import { apiSchemaOf, committedSupergraphSdl, fixtureGraph } from './access-fixtures';

describe('readFieldClassifications', () => {
  const committed = committedSupergraphSdl();
  const classifications = readFieldClassifications(committed);

  it('reads field-level classifications from the committed supergraph', () => {
    expect(classifications.get('Customer.idNumber')).toEqual({ tier: 'RESTRICTED', category: 'IDENTITY', mask: 'RESIDENT_ID' });
    expect(classifications.get('Customer.name')).toEqual({ tier: 'CONFIDENTIAL', category: 'IDENTITY', mask: 'NAME' });
    expect(classifications.get('Customer.customerNo')).toEqual({ tier: 'INTERNAL', category: 'IDENTITY', mask: null });
    expect(classifications.get('Branch.name')).toEqual({ tier: 'PUBLIC', category: 'GENERAL', mask: null });
  });

  it('has an entry for every field of every object and interface in the API schema', () => {
    const schema = apiSchemaOf(committed);
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
      for (const field of Object.keys(type.getFields())) if (!classifications.has(`${type.name}.${field}`)) missing.push(`${type.name}.${field}`);
    }
    expect(missing).toEqual([]);
  });

  it('leaves the federation machinery out', () => {
    expect([...classifications.keys()].filter((coordinate) => coordinate.startsWith('join__') || coordinate.startsWith('link__'))).toEqual([]);
  });

  it('classifies an entity field by its type-level default, which survives composition', () => {
    const fixture = readFieldClassifications(fixtureGraph().supergraphSdl);
    // Person.contacts has no @classified of its own: `type Person @classified(tier: INTERNAL)` in the people subgraph.
    expect(fixture.get('Person.contacts')).toEqual({ tier: 'INTERNAL', category: 'GENERAL', mask: null });
    expect(fixture.get('Person.idNumber')).toEqual({ tier: 'RESTRICTED', category: 'IDENTITY', mask: 'RESIDENT_ID' });
    expect(fixture.get('Person.diagnosis')).toEqual({ tier: 'RESTRICTED', category: 'HEALTH', mask: null });
  });

  it('treats a field without a classification (on itself or its type) as RESTRICTED', () => {
    const fixture = readFieldClassifications(fixtureGraph().supergraphSdl);
    expect(fixture.get('Contact.note')).toBe(UNCLASSIFIED);
    expect(UNCLASSIFIED).toEqual({ tier: 'RESTRICTED', category: 'GENERAL', mask: null });
    expect(classificationFor(fixture, 'Contact.unknownField')).toBe(UNCLASSIFIED);
  });

  it('reads interface fields, and follows a renamed import of the directive', () => {
    const sdl = /* GraphQL */ `
      schema
        @link(url: "https://specs.apollo.dev/link/v1.0")
        @link(url: "https://insurer.example/classified/v1.0", import: [{ name: "@classified", as: "@sensitivity" }]) {
        query: Query
      }
      type Query {
        party: Party @sensitivity(tier: INTERNAL)
      }
      interface Party {
        name: String @sensitivity(tier: CONFIDENTIAL, category: IDENTITY, mask: NAME)
      }
      type Person implements Party @sensitivity(tier: INTERNAL) {
        name: String @classified(tier: PUBLIC)
        age: Int
      }
    `;
    const renamed = readFieldClassifications(sdl);
    expect(renamed.get('Party.name')).toEqual({ tier: 'CONFIDENTIAL', category: 'IDENTITY', mask: 'NAME' });
    // `@classified` is not the directive's name in this supergraph: only the type default applies.
    expect(renamed.get('Person.name')).toEqual({ tier: 'INTERNAL', category: 'GENERAL', mask: null });
    expect(renamed.get('Person.age')).toEqual({ tier: 'INTERNAL', category: 'GENERAL', mask: null });
  });

  it('refuses a tier, category or mask it does not know, naming the field and the value', () => {
    expect(() => readFieldClassifications('type Query { a: String @classified(tier: SECRET) }')).toThrow(
      'Query.a: @classified tier "SECRET" is not one of PUBLIC, INTERNAL, CONFIDENTIAL, RESTRICTED',
    );
    expect(() => readFieldClassifications('type Query { b: String @classified(tier: INTERNAL, category: GOSSIP) }')).toThrow(
      /Query\.b: @classified category "GOSSIP"/,
    );
    expect(() => readFieldClassifications('type Query { c: String @classified(tier: PUBLIC, mask: BLUR) }')).toThrow(/Query\.c: @classified mask "BLUR"/);
    expect(() => readFieldClassifications('type Query { d: String @classified(category: HEALTH) }')).toThrow('Query.d: @classified has no tier');
  });
});
