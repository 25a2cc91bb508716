import { composeServices } from '@apollo/composition';
import { Kind, type EnumTypeDefinitionNode, type ObjectTypeDefinitionNode } from 'graphql';
import { LINES_OF_BUSINESS, POLICY_STATUSES } from '@icg/shared';
import { checkClassifications } from '../../../../tools/src/supergraph-composition';
import {
  INSURED_OBJECT_KINDS,
  PARTICIPANT_ROLES,
  PAYMENT_STATUSES,
  RELATIONSHIPS,
  REMINDER_CHANNELS,
  REMINDER_STATUSES,
  SALES_CHANNELS,
  TERMINATION_REASONS,
} from '../domain';
import { policiesSubgraph } from '../server';

const definitions = policiesSubgraph.schema.definitions;

function enumValues(name: string): string[] {
  const definition = definitions.find((node): node is EnumTypeDefinitionNode => node.kind === Kind.ENUM_TYPE_DEFINITION && node.name.value === name);
  return definition?.values?.map((value) => value.name.value) ?? [];
}

function classificationOf(typeName: string, fieldName: string): Record<string, string> {
  const type = definitions.find((node): node is ObjectTypeDefinitionNode => node.kind === Kind.OBJECT_TYPE_DEFINITION && node.name.value === typeName);
  const directive = type?.fields?.find((field) => field.name.value === fieldName)?.directives?.find((entry) => entry.name.value === 'classified');
  return Object.fromEntries(
    (directive?.arguments ?? []).map((argument) => [argument.name.value, argument.value.kind === Kind.ENUM ? argument.value.value : '']),
  );
}

describe('policies schema', () => {
  test('every field is classified and every field above INTERNAL is nullable', () => {
    expect(checkClassifications([{ name: 'policies', url: 'http://policies.invalid/graphql', typeDefs: policiesSubgraph.schema }])).toEqual([]);
  });

  test('composes as a federation subgraph', () => {
    const result = composeServices([{ name: 'policies', url: 'http://policies.invalid/graphql', typeDefs: policiesSubgraph.schema }]);
    expect(result.errors ?? []).toEqual([]);
  });

  test.each([
    ['LineOfBusiness', LINES_OF_BUSINESS],
    ['PolicyStatus', POLICY_STATUSES],
    ['PaymentStatus', PAYMENT_STATUSES],
    ['SalesChannel', SALES_CHANNELS],
    ['TerminationReason', TERMINATION_REASONS],
    ['ParticipantRole', PARTICIPANT_ROLES],
    ['RelationshipToPolicyholder', RELATIONSHIPS],
    ['InsuredObjectKind', INSURED_OBJECT_KINDS],
    ['ReminderChannel', REMINDER_CHANNELS],
    ['ReminderStatus', REMINDER_STATUSES],
  ] as const)('enum %s has exactly the values the seed writes', (name, values) => {
    expect(enumValues(name)).toEqual([...values]);
  });

  test.each([
    ['PolicyParticipant', 'name', 'CONFIDENTIAL', 'NAME'],
    ['PolicyParticipant', 'idNumber', 'RESTRICTED', 'RESIDENT_ID'],
    ['PolicyParticipant', 'mobile', 'CONFIDENTIAL', 'MOBILE'],
    ['InsuredObject', 'plate', 'CONFIDENTIAL', 'PLATE'],
    ['InsuredObject', 'address', 'CONFIDENTIAL', 'ADDRESS'],
  ])('%s.%s is %s with mask %s', (typeName, fieldName, tier, mask) => {
    expect(classificationOf(typeName, fieldName)).toMatchObject({ tier, mask });
  });

  test.each([
    ['Policy', 'writtenPremium'],
    ['Policy', 'earnedPremium'],
    ['Policy', 'sumInsured'],
    ['Coverage', 'premium'],
  ])('%s.%s is a confidential per-person amount', (typeName, fieldName) => {
    expect(classificationOf(typeName, fieldName)).toEqual({ tier: 'CONFIDENTIAL', category: 'FINANCIAL' });
  });
});
