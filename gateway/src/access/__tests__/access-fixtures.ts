/**
 * Fixtures for the gateway access tests: the committed supergraph and its API schema, the real policy, staff
 * identities per role, and two tiny in-process subgraphs that count how often their resolvers run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { ApolloGateway, LocalGraphQLDataSource } from '@apollo/gateway';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import { classificationSdl, loadAccessPolicy, type AccessPolicy, type Purpose, type StaffIdentity, type StaffRole } from '@icg/shared';

export const SUPERGRAPH_PATH = join(__dirname, '..', '..', '..', 'supergraph.graphql');

export function committedSupergraphSdl(): string {
  return readFileSync(SUPERGRAPH_PATH, 'utf8');
}

/** The schema clients validate against, built the way ApolloGateway builds it. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

export function realPolicy(): AccessPolicy {
  return loadAccessPolicy();
}

export function identity(role: StaffRole, purpose: Purpose | null = null): StaffIdentity {
  return { staffId: '42', role, branchId: '1', branchPath: '/1/', grade: null, purpose };
}

/**
 * A hand-written API schema with an interface, for what the committed supergraph does not have (yet):
 * fragments that narrow an abstract type, non-null fields that are denied, and interface classifications.
 */
export const PARTY_SCHEMA_SDL = /* GraphQL */ `
  directive @classified(tier: Tier!, category: Category = GENERAL, mask: MaskStyle) on FIELD_DEFINITION | OBJECT
  enum Tier {
    PUBLIC
    INTERNAL
    CONFIDENTIAL
    RESTRICTED
  }
  enum Category {
    IDENTITY
    CONTACT
    FINANCIAL
    HEALTH
    CREDIT
    NARRATIVE
    GENERAL
  }
  enum MaskStyle {
    RESIDENT_ID
    MOBILE
    NAME
    EMAIL
    ADDRESS
    BANK_ACCOUNT
    PLATE
  }

  type Query {
    parties: [Party]! @classified(tier: INTERNAL)
    party(id: ID!): Party @classified(tier: INTERNAL)
  }
  interface Party {
    id: ID! @classified(tier: INTERNAL)
    name: String @classified(tier: INTERNAL)
  }
  type Person implements Party @classified(tier: INTERNAL) {
    id: ID!
    name: String @classified(tier: CONFIDENTIAL, category: IDENTITY, mask: NAME)
    idNumber: String! @classified(tier: RESTRICTED, category: IDENTITY, mask: RESIDENT_ID)
  }
  type Company implements Party @classified(tier: INTERNAL) {
    id: ID!
    name: String
    creditRating: String @classified(tier: RESTRICTED, category: CREDIT)
  }
`;

export interface ResolverCalls {
  personName: number;
  personIdNumber: number;
  contactNote: number;
  medicalReference: number;
  diagnosis: number;
}

interface ContactRecord {
  label: string;
  phone: string | null;
  note: string;
}

interface PersonRecord {
  id: string;
  name: string;
  idNumber: string;
  contacts: ContactRecord[];
  diagnosis: string;
  riskBand: string;
}

const PEOPLE: readonly PersonRecord[] = [
  {
    id: '1',
    name: '张三丰',
    idNumber: '11010519491231002X',
    contacts: [
      { label: 'home', phone: '13812348000', note: 'prefers evenings' },
      { label: 'work', phone: null, note: 'switchboard' },
    ],
    diagnosis: 'fracture',
    riskBand: 'LOW',
  },
  { id: '2', name: '李四', idNumber: '440301199001011234', contacts: [], diagnosis: 'none', riskBand: 'HIGH' },
];

/**
 * Two subgraphs that classify their fields like ours do (the shared classification header, a type-level
 * default on the entity, one field left unclassified): `people` owns Person, `medical` extends it.
 */
export const PEOPLE_SUBGRAPH_SDL = /* GraphQL */ `
  type Query {
    people: [Person!]! @classified(tier: INTERNAL)
    person(id: ID!): Person @classified(tier: INTERNAL)
  }
  type Person @key(fields: "id") @classified(tier: INTERNAL) {
    id: ID!
    name: String @classified(tier: CONFIDENTIAL, category: IDENTITY, mask: NAME)
    idNumber: String @classified(tier: RESTRICTED, category: IDENTITY, mask: RESIDENT_ID)
    contacts: [Contact!]
  }
  type Contact {
    label: String! @classified(tier: INTERNAL)
    phone: String @classified(tier: CONFIDENTIAL, category: CONTACT, mask: MOBILE)
    "Deliberately unclassified: RESTRICTED at run time."
    note: String
  }
`;

export const MEDICAL_SUBGRAPH_SDL = /* GraphQL */ `
  type Person @key(fields: "id") {
    id: ID! @classified(tier: INTERNAL)
    diagnosis: String @classified(tier: RESTRICTED, category: HEALTH)
    riskBand: String @classified(tier: INTERNAL)
  }
`;

export interface FixtureGraph {
  supergraphSdl: string;
  calls: ResolverCalls;
  /** A new, unloaded ApolloGateway over the fixture subgraphs (each test gets its own plan cache). */
  createGateway(): ApolloGateway;
}

export function fixtureGraph(): FixtureGraph {
  const calls: ResolverCalls = { personName: 0, personIdNumber: 0, contactNote: 0, medicalReference: 0, diagnosis: 0 };
  const byId = (id: string) => PEOPLE.find((person) => person.id === id) ?? null;
  const people = {
    typeDefs: parse(`${classificationSdl()}\n${PEOPLE_SUBGRAPH_SDL}`),
    resolvers: {
      Query: { people: () => PEOPLE, person: (_: unknown, args: { id: string }) => byId(args.id) },
      Person: {
        __resolveReference: (reference: { id: string }) => byId(reference.id),
        name: (person: PersonRecord) => {
          calls.personName += 1;
          return person.name;
        },
        idNumber: (person: PersonRecord) => {
          calls.personIdNumber += 1;
          return person.idNumber;
        },
      },
      Contact: {
        note: (contact: ContactRecord) => {
          calls.contactNote += 1;
          return contact.note;
        },
      },
    },
  };
  const medical = {
    typeDefs: parse(`${classificationSdl()}\n${MEDICAL_SUBGRAPH_SDL}`),
    resolvers: {
      Person: {
        __resolveReference: (reference: { id: string }) => {
          calls.medicalReference += 1;
          return byId(reference.id);
        },
        diagnosis: (person: PersonRecord) => {
          calls.diagnosis += 1;
          return person.diagnosis;
        },
      },
    },
  };
  const composed = composeServices([
    { name: 'people', url: 'http://people.invalid/graphql', typeDefs: people.typeDefs },
    { name: 'medical', url: 'http://medical.invalid/graphql', typeDefs: medical.typeDefs },
  ]);
  if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join('\n'));
  const supergraphSdl = composed.supergraphSdl;
  const schemas = {
    people: buildSubgraphSchema({ typeDefs: people.typeDefs, resolvers: people.resolvers }),
    medical: buildSubgraphSchema({ typeDefs: medical.typeDefs, resolvers: medical.resolvers }),
  };
  return {
    supergraphSdl,
    calls,
    createGateway: () =>
      new ApolloGateway({
        supergraphSdl,
        buildService: ({ name }) => new LocalGraphQLDataSource(schemas[name as keyof typeof schemas]),
        logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      }),
  };
}
