/**
 * Which fields a caller's role may read in no scope at all (DENY in scope and out of scope): those are
 * removed from operations before planning and from the schema the role introspects.
 */
import { isInterfaceType, isObjectType, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import { deniedInEveryScope, type AccessPolicy, type FieldClassification, type Purpose, type Role } from '@icg/shared';
import { classificationFor, type FieldClassifications, type FieldCoordinate } from './field-classifications';

/** What the gateway decides on: the policy, the caller's role and stated purpose (row scope is the subgraphs' part). */
export interface AccessSubject {
  policy: AccessPolicy;
  role: Role;
  purpose: Purpose | null;
}

/** The field that is denied and the classification that denies it. */
export interface FieldDenial {
  coordinate: FieldCoordinate;
  classification: FieldClassification;
}

/**
 * One string per distinct answer: policy version, role and purpose. A purpose the policy does not list
 * counts as none (decide.ts), so it shares the no-purpose entry instead of growing the caches.
 */
export function accessSubjectKey(subject: AccessSubject): string {
  const purpose = subject.purpose !== null && subject.policy.purposes.includes(subject.purpose) ? subject.purpose : null;
  return JSON.stringify([subject.policy.version, subject.role, purpose]);
}

export class NeverReadableFields {
  private readonly denials = new Map<FieldCoordinate, FieldDenial | null>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly classifications: FieldClassifications,
    readonly subject: AccessSubject,
  ) {}

  /**
   * Why `Type.field` is never readable, or null when the role may read it somewhere. A field selected on an
   * interface counts as denied when the interface's own field or any implementation's is: the gateway cannot
   * tell which implementation a record will be, and the stricter answer is the safe one.
   */
  denialOf(parentType: GraphQLNamedType, fieldName: string): FieldDenial | null {
    const coordinate = `${parentType.name}.${fieldName}`;
    const known = this.denials.get(coordinate);
    if (known !== undefined) return known;
    let denial = this.ownDenial(coordinate);
    if (!denial && isInterfaceType(parentType)) {
      for (const implementation of this.schema.getPossibleTypes(parentType)) {
        const implementationDenial = this.ownDenial(`${implementation.name}.${fieldName}`);
        if (implementationDenial) {
          // The error names the field the client selected, with the tier that denies it.
          denial = { coordinate, classification: implementationDenial.classification };
          break;
        }
      }
    }
    this.denials.set(coordinate, denial);
    return denial;
  }

  /** Only object and interface fields are classified; `__typename` and introspection are never removed. */
  isRemovable(parentType: GraphQLNamedType, fieldName: string): boolean {
    return !fieldName.startsWith('__') && (isObjectType(parentType) || isInterfaceType(parentType));
  }

  private ownDenial(coordinate: FieldCoordinate): FieldDenial | null {
    const classification = classificationFor(this.classifications, coordinate);
    const { policy, role, purpose } = this.subject;
    return deniedInEveryScope(policy, role, classification, purpose) ? { coordinate, classification } : null;
  }
}
