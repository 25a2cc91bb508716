import { COMPLAINT_CATEGORIES, COMPLAINT_STATUSES, LINES_OF_BUSINESS } from '@icg/shared';
import { Kind, type ConstDirectiveNode, type EnumTypeDefinitionNode, type FieldDefinitionNode, type ObjectTypeDefinitionNode } from 'graphql';
import { complaintsSubgraph } from '../index';
import {
  COMPLAINT_COMPLEXITIES,
  COMPLAINT_FORMS,
  COMPLAINT_OUTCOMES,
  COMPLAINT_SOURCES,
  COMPLAINT_STEPS,
  ESCALATION_LEVELS,
  REVIEW_OUTCOMES,
  ROOT_CAUSES,
} from '../workflow';

const definitions = complaintsSubgraph.schema.definitions;
const objectTypes = definitions.filter((definition): definition is ObjectTypeDefinitionNode => definition.kind === Kind.OBJECT_TYPE_DEFINITION);
const fields = objectTypes.flatMap((type) => (type.fields ?? []).map((field) => ({ coordinate: `${type.name.value}.${field.name.value}`, field })));

function classification(field: FieldDefinitionNode): Record<string, string> | undefined {
  const directive = field.directives?.find((entry: ConstDirectiveNode) => entry.name.value === 'classified');
  if (!directive) return undefined;
  return Object.fromEntries(
    (directive.arguments ?? []).map((argument) => [argument.name.value, argument.value.kind === Kind.ENUM ? argument.value.value : '?']),
  );
}

function enumValues(name: string): string[] {
  const definition = definitions.find((entry): entry is EnumTypeDefinitionNode => entry.kind === Kind.ENUM_TYPE_DEFINITION && entry.name.value === name);
  return (definition?.values ?? []).map((value) => value.name.value);
}

describe('complaints schema', () => {
  it('classifies every field, root fields and entity stubs included', () => {
    expect(fields.length).toBeGreaterThan(50);
    expect(fields.filter(({ field }) => !classification(field)).map(({ coordinate }) => coordinate)).toEqual([]);
  });

  it('makes every field above INTERNAL nullable, so a denial cannot null its parent', () => {
    const sensitive = fields.filter(({ field }) => ['CONFIDENTIAL', 'RESTRICTED'].includes(classification(field)!['tier']!));
    expect(sensitive.map(({ coordinate }) => coordinate).sort()).toEqual(
      [
        'Complaint.complainantMobile',
        'Complaint.complainantName',
        'Complaint.compensationAmount',
        'Complaint.facts',
        'Complaint.request',
        'ComplaintStep.note',
        'DeadlineExtension.reason',
        'DeadlineExtensionRequest.reason',
        // The monthly complaint analysis (issue 11): statistics classified CONFIDENTIAL, aggregate.
        'ComplaintAnalysis.cells',
        'ComplaintAnalysis.onTime',
        'ComplaintAnalysis.rootCauses',
        'ComplaintAnalysis.total',
        'ComplaintAnalysisCell.complaints',
        'ComplaintAnalysisCell.overdue',
        'ComplaintAnalysisCell.repeats',
        'ComplaintOnTimeRate.due',
        'ComplaintOnTimeRate.onTime',
        'ComplaintOnTimeRate.rate',
        'ComplaintRootCauseCount.complaints',
      ].sort(),
    );
    expect(sensitive.filter(({ field }) => field.type.kind === Kind.NON_NULL_TYPE).map(({ coordinate }) => coordinate)).toEqual([]);
  });

  it('holds no health facts: no field of the register is HEALTH (injuries belong to the claim)', () => {
    expect(fields.filter(({ field }) => classification(field)!['category'] === 'HEALTH').map(({ coordinate }) => coordinate)).toEqual([]);
  });

  it('names the mask style of the complainant’s name and mobile', () => {
    const byCoordinate = new Map(fields.map(({ coordinate, field }) => [coordinate, classification(field)]));
    expect(byCoordinate.get('Complaint.complainantName')).toEqual({ tier: 'CONFIDENTIAL', category: 'IDENTITY', mask: 'NAME' });
    expect(byCoordinate.get('Complaint.complainantMobile')).toEqual({ tier: 'CONFIDENTIAL', category: 'CONTACT', mask: 'MOBILE' });
    expect(byCoordinate.get('Complaint.compensationAmount')).toEqual({ tier: 'CONFIDENTIAL', category: 'FINANCIAL' });
  });

  it('offers exactly the values the register stores for every enum', () => {
    expect(enumValues('ComplaintStatus')).toEqual([...COMPLAINT_STATUSES]);
    expect(enumValues('ComplaintCategory')).toEqual([...COMPLAINT_CATEGORIES]);
    expect(enumValues('LineOfBusiness')).toEqual([...LINES_OF_BUSINESS]);
    expect(enumValues('ComplaintSource')).toEqual([...COMPLAINT_SOURCES]);
    expect(enumValues('ComplaintComplexity')).toEqual([...COMPLAINT_COMPLEXITIES]);
    expect(enumValues('ComplaintEscalationLevel')).toEqual([...ESCALATION_LEVELS]);
    expect(enumValues('ComplaintOutcome')).toEqual([...COMPLAINT_OUTCOMES]);
    expect(enumValues('ComplaintReviewOutcome')).toEqual([...REVIEW_OUTCOMES]);
    expect(enumValues('ComplaintRootCause')).toEqual([...ROOT_CAUSES]);
    expect(enumValues('ComplaintWorkflowStep')).toEqual([...COMPLAINT_STEPS]);
    expect(enumValues('ComplaintForm')).toEqual([...COMPLAINT_FORMS]);
  });
});
