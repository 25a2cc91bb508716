import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { CLAIM_STATUSES, undeclaredIdentifiers } from '@icg/shared';
import { GraphQLObjectType, Kind, parse, type EnumTypeDefinitionNode, type FieldDefinitionNode, type ObjectTypeDefinitionNode } from 'graphql';
import { claimsSubgraph } from '../index';
import { resolvers } from '../resolvers';
import {
  CLAIM_CAUSES,
  CLAIM_CLOSED_OUTCOMES,
  CLAIM_PARTICIPANT_ROLES,
  CLAIM_PAYMENT_METHODS,
  CLAIM_REPORT_CHANNELS,
  INVESTIGATION_OUTCOMES,
  SURVEY_TASK_STATUSES,
} from '../records';

const ownSchema = parse(readFileSync(join(__dirname, '..', '..', 'schema.graphql'), 'utf8'));
const objectTypes = ownSchema.definitions.filter((definition): definition is ObjectTypeDefinitionNode => definition.kind === Kind.OBJECT_TYPE_DEFINITION);
const fields = objectTypes.flatMap((type) => (type.fields ?? []).map((field) => ({ coordinate: `${type.name.value}.${field.name.value}`, field })));

function classification(field: FieldDefinitionNode): Record<string, string> {
  const directive = field.directives?.find((entry) => entry.name.value === 'classified');
  return Object.fromEntries(
    (directive?.arguments ?? []).map((argument) => [
      argument.name.value,
      argument.value.kind === Kind.ENUM ? argument.value.value : argument.value.kind === Kind.BOOLEAN ? String(argument.value.value) : '?',
    ]),
  );
}

describe('claims schema classification', () => {
  it('classifies every field with a tier and a category', () => {
    const unclassified = fields.filter(({ field }) => !classification(field)['tier'] || !classification(field)['category']).map(({ coordinate }) => coordinate);
    expect(unclassified).toEqual([]);
    expect(fields.length).toBeGreaterThan(50);
  });

  it('makes every field above INTERNAL nullable', () => {
    const nonNullSensitive = fields
      .filter(({ field }) => ['CONFIDENTIAL', 'RESTRICTED'].includes(classification(field)['tier']!) && field.type.kind === Kind.NON_NULL_TYPE)
      .map(({ coordinate }) => coordinate);
    expect(nonNullSensitive).toEqual([]);
  });

  it('classifies personal and sensitive fields as the access model requires', () => {
    const actual = Object.fromEntries(
      fields
        // Identifiers (INTERNAL/IDENTITY) are checked below, by the rule composition applies.
        .filter(({ field }) => classification(field)['tier'] !== 'INTERNAL' || !['GENERAL', 'IDENTITY'].includes(classification(field)['category']!))
        .map(({ coordinate, field }) => [coordinate, classification(field)]),
    );
    expect(actual).toEqual({
      // A reason may tell of an injury that got worse, or cite an illness.
      'Claim.reopenReason': { tier: 'CONFIDENTIAL', category: 'HEALTH' },
      'Claim.closeReason': { tier: 'CONFIDENTIAL', category: 'HEALTH' },
      'Claim.adjustedAmount': { tier: 'CONFIDENTIAL', category: 'FINANCIAL' },
      'Claim.approvedAmount': { tier: 'CONFIDENTIAL', category: 'FINANCIAL' },
      // Values that tell of an injury or illness (ILLNESS, INJURED, HOSPITAL_DIRECT, a hospital) make a field HEALTH.
      'Claim.cause': { tier: 'INTERNAL', category: 'HEALTH' },
      'Claim.lossDescription': { tier: 'CONFIDENTIAL', category: 'NARRATIVE' },
      'Claim.injuryNarrative': { tier: 'RESTRICTED', category: 'HEALTH' },
      'Claim.paid': { tier: 'CONFIDENTIAL', category: 'FINANCIAL' },
      'Claim.outstandingReserve': { tier: 'CONFIDENTIAL', category: 'FINANCIAL' },
      'Claim.recoveries': { tier: 'CONFIDENTIAL', category: 'FINANCIAL' },
      'Claim.incurred': { tier: 'CONFIDENTIAL', category: 'FINANCIAL' },
      'Claim.fraudScore': { tier: 'RESTRICTED', category: 'CREDIT' },
      'Claim.specialInvestigation': { tier: 'RESTRICTED', category: 'CREDIT' },
      // Confirmed fraud makes the customer poor: credit information, like the score.
      'Claim.investigationOutcome': { tier: 'RESTRICTED', category: 'CREDIT' },
      'Claim.investigationConcludedAt': { tier: 'RESTRICTED', category: 'CREDIT' },
      // Statistics over claims (claimAggregates) are classified as the claims' own values, marked as aggregates
      // (docs/access-model.md section 11): grouping by cause reveals Claim.cause, so that group field is HEALTH too.
      'ClaimAggregateGroup.cause': { tier: 'INTERNAL', category: 'HEALTH', aggregate: 'true' },
      'ClaimAggregateGroup.count': { tier: 'CONFIDENTIAL', category: 'FINANCIAL', aggregate: 'true' },
      'ClaimAggregateGroup.incurred': { tier: 'CONFIDENTIAL', category: 'FINANCIAL', aggregate: 'true' },
      'ClaimAggregateGroup.paid': { tier: 'CONFIDENTIAL', category: 'FINANCIAL', aggregate: 'true' },
      'ClaimAggregates.groups': { tier: 'CONFIDENTIAL', category: 'FINANCIAL', aggregate: 'true' },
      'ClaimAggregates.total': { tier: 'CONFIDENTIAL', category: 'FINANCIAL', aggregate: 'true' },
      'ClaimParticipant.role': { tier: 'INTERNAL', category: 'HEALTH' },
      'ClaimParticipant.name': { tier: 'CONFIDENTIAL', category: 'IDENTITY', mask: 'NAME' },
      'ClaimParticipant.mobile': { tier: 'CONFIDENTIAL', category: 'CONTACT', mask: 'MOBILE' },
      'ClaimParticipant.injuryDescription': { tier: 'RESTRICTED', category: 'HEALTH' },
      'ClaimParticipant.medicalDetails': { tier: 'RESTRICTED', category: 'HEALTH' },
      'LossAssessment.assessedAmount': { tier: 'CONFIDENTIAL', category: 'FINANCIAL' },
      'LossAssessment.approvedAmount': { tier: 'CONFIDENTIAL', category: 'FINANCIAL' },
      'LossAssessment.notes': { tier: 'CONFIDENTIAL', category: 'NARRATIVE' },
      'ClaimPayment.amount': { tier: 'CONFIDENTIAL', category: 'FINANCIAL' },
      'ClaimPayment.payeeName': { tier: 'CONFIDENTIAL', category: 'HEALTH', mask: 'NAME' },
      'ClaimPayment.payeeAccount': { tier: 'RESTRICTED', category: 'FINANCIAL', mask: 'BANK_ACCOUNT' },
      'ClaimPayment.method': { tier: 'INTERNAL', category: 'HEALTH' },
    });
  });

  it('declares the same enum values the code and the seed use', () => {
    const enumValues = (name: string): string[] => {
      const definition = ownSchema.definitions.find(
        (entry): entry is EnumTypeDefinitionNode => entry.kind === Kind.ENUM_TYPE_DEFINITION && entry.name.value === name,
      );
      return (definition?.values ?? []).map((value) => value.name.value);
    };
    expect(enumValues('ClaimStatus')).toEqual([...CLAIM_STATUSES]);
    expect(enumValues('ClaimClosedOutcome')).toEqual([...CLAIM_CLOSED_OUTCOMES]);
    expect(enumValues('ClaimCause')).toEqual([...CLAIM_CAUSES]);
    expect(enumValues('ClaimReportChannel')).toEqual([...CLAIM_REPORT_CHANNELS]);
    expect(enumValues('ClaimParticipantRole')).toEqual([...CLAIM_PARTICIPANT_ROLES]);
    expect(enumValues('SurveyTaskStatus')).toEqual([...SURVEY_TASK_STATUSES]);
    expect(enumValues('ClaimPaymentMethod')).toEqual([...CLAIM_PAYMENT_METHODS]);
    expect(enumValues('InvestigationOutcome')).toEqual([...INVESTIGATION_OUTCOMES]);
  });

  it('builds a subgraph schema in which every resolver names a real field', () => {
    const schema = buildSubgraphSchema([{ typeDefs: claimsSubgraph.schema, resolvers }]);
    const strays = Object.entries(resolvers).flatMap(([typeName, typeResolvers]) => {
      const type = schema.getType(typeName);
      if (!(type instanceof GraphQLObjectType)) return [typeName];
      return Object.keys(typeResolvers)
        .filter((fieldName) => fieldName !== '__resolveReference' && !type.getFields()[fieldName])
        .map((fieldName) => `${typeName}.${fieldName}`);
    });
    expect(strays).toEqual([]);
  });

  it('declares every identifier IDENTITY (ids, keys, report and registration numbers), so BI gets and gives them sealed', () => {
    expect(undeclaredIdentifiers('claims', claimsSubgraph.schema)).toEqual([]);
    const identifiers = fields.filter(({ field }) => classification(field)['category'] === 'IDENTITY' && classification(field)['tier'] === 'INTERNAL');
    expect(identifiers.map(({ coordinate }) => coordinate)).toEqual(
      expect.arrayContaining(['Claim.id', 'Claim.reportNo', 'Claim.registrationNo', 'ClaimParticipant.id', 'Customer.id', 'Policy.policyNo', 'Staff.id']),
    );
  });
});
