/**
 * What a role sees when it introspects (docs/access-model.md section 6): the API schema minus the fields the role
 * may never read. Introspection is answered from this schema, never from the full one the planner uses.
 */
import { GraphQLError, isInterfaceType, isIntrospectionType, isObjectType, isUnionType, getNamedType, type GraphQLSchema } from 'graphql';
import { MapperKind, mapSchema, pruneSchema } from '@graphql-tools/utils';
import { BoundedLruCache } from './bounded-lru-cache';
import type { FieldCoordinate } from './field-classifications';
import { accessSubjectKey, type AccessSubject, type NeverReadableFields } from './never-readable-fields';

/** Roles × purposes × live policy versions. */
const DEFAULT_MAX_ROLE_SCHEMAS = 64;

/** Role schemas per (policy version, role, purpose), built on first use. */
export class RoleSchemas {
  private readonly schemas: BoundedLruCache<string, GraphQLSchema>;

  constructor(
    private readonly apiSchema: GraphQLSchema,
    private readonly neverReadableFields: (subject: AccessSubject) => NeverReadableFields,
    maxSchemas: number = DEFAULT_MAX_ROLE_SCHEMAS,
  ) {
    this.schemas = new BoundedLruCache(maxSchemas);
  }

  schemaFor(subject: AccessSubject): GraphQLSchema {
    return this.schemas.getOrCreate(accessSubjectKey(subject), () => buildRoleSchema(this.apiSchema, this.neverReadableFields(subject)));
  }
}

/**
 * The API schema without the fields `access` denies. A type left with no field cannot exist in GraphQL, so it
 * goes too, with the fields that return it (the role could select nothing but `__typename` on them); an
 * interface loses a field any implementation lost, so the schema stays valid. Unreachable types are pruned.
 */
export function buildRoleSchema(apiSchema: GraphQLSchema, access: NeverReadableFields): GraphQLSchema {
  const removedFields = new Set<FieldCoordinate>();
  const removedTypes = new Set<string>();
  const types = Object.values(apiSchema.getTypeMap()).filter((type) => !isIntrospectionType(type));
  const rootTypeNames = new Set(
    [apiSchema.getQueryType(), apiSchema.getMutationType(), apiSchema.getSubscriptionType()].flatMap((type) => (type ? [type.name] : [])),
  );

  for (const type of types) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const fieldName of Object.keys(type.getFields())) {
      if (access.isRemovable(type, fieldName) && access.denialOf(type, fieldName)) removedFields.add(`${type.name}.${fieldName}`);
    }
  }

  for (let changed = true; changed;) {
    changed = false;
    const remove = (coordinate: FieldCoordinate) => {
      if (removedFields.has(coordinate)) return;
      removedFields.add(coordinate);
      changed = true;
    };
    for (const type of types) {
      if (removedTypes.has(type.name)) continue;
      if (isObjectType(type) || isInterfaceType(type)) {
        const fields = Object.values(type.getFields());
        for (const field of fields) if (removedTypes.has(getNamedType(field.type).name)) remove(`${type.name}.${field.name}`);
        if (isInterfaceType(type)) {
          for (const implementation of apiSchema.getPossibleTypes(type)) {
            for (const field of fields) if (removedFields.has(`${implementation.name}.${field.name}`)) remove(`${type.name}.${field.name}`);
          }
        }
        if (fields.every((field) => removedFields.has(`${type.name}.${field.name}`))) {
          if (rootTypeNames.has(type.name)) {
            throw new GraphQLError(`The role may read no field of ${type.name}, so it has no schema to introspect`, { extensions: { code: 'FORBIDDEN' } });
          }
          removedTypes.add(type.name);
          changed = true;
        }
      } else if (isUnionType(type) && type.getTypes().every((member) => removedTypes.has(member.name))) {
        removedTypes.add(type.name);
        changed = true;
      }
    }
  }

  const withoutDenied = mapSchema(apiSchema, {
    [MapperKind.COMPOSITE_TYPE]: (type) => (removedTypes.has(type.name) ? null : type),
    [MapperKind.COMPOSITE_FIELD]: (field, fieldName, typeName) => (removedFields.has(`${typeName}.${fieldName}`) ? null : field),
  });
  return pruneSchema(withoutDenied);
}
