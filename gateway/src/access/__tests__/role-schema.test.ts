import { buildSchema, execute, isObjectType, isInterfaceType, parse, validateSchema, type GraphQLSchema } from 'graphql';
import type { Purpose, Role } from '@icg/shared';
import { readFieldClassifications } from '../field-classifications';
import { OperationAccessFilter } from '../operation-access-filter';
import { RoleSchemas } from '../role-schema';
import { PARTY_SCHEMA_SDL, apiSchemaOf, committedSupergraphSdl, realPolicy } from './access-fixtures';

const policy = realPolicy();

function roleSchemasOver(schema: GraphQLSchema, sdl: string): RoleSchemas {
  const filter = new OperationAccessFilter({ schema, classifications: readFieldClassifications(sdl) });
  return new RoleSchemas(schema, (subject) => filter.neverReadableFields(subject));
}

function fieldsOf(schema: GraphQLSchema, typeName: string): string[] {
  const type = schema.getType(typeName);
  return isObjectType(type) || isInterfaceType(type) ? Object.keys(type.getFields()) : [];
}

describe('role schemas of the committed supergraph', () => {
  const supergraphSdl = committedSupergraphSdl();
  const apiSchema = apiSchemaOf(supergraphSdl);
  const roleSchemas = roleSchemasOver(apiSchema, supergraphSdl);
  const schemaOf = (role: Role, purpose: Purpose | null = null) => roleSchemas.schemaFor({ policy, role, purpose });

  /** What a client sees when it introspects a type, answered by graphql's own executor. */
  function introspectedFields(schema: GraphQLSchema, typeName: string): string[] {
    const result = execute({ schema, document: parse(`{ __type(name: "${typeName}") { fields { name } } }`) }) as {
      data?: { __type: { fields: { name: string }[] } | null };
    };
    return result.data?.__type?.fields.map((field) => field.name) ?? [];
  }

  it('shows a hotline agent no RESTRICTED field, and the CONFIDENTIAL ones it sees masked', () => {
    const hotline = schemaOf('HOTLINE_AGENT');
    expect(validateSchema(hotline)).toEqual([]);
    const customerFields = introspectedFields(hotline, 'Customer');
    expect(customerFields).not.toContain('idNumber');
    expect(customerFields).not.toContain('creditRating');
    expect(customerFields).toEqual(expect.arrayContaining(['id', 'customerNo', 'name', 'mobile', 'policies']));
    expect(introspectedFields(hotline, 'BlacklistEntry')).not.toContain('reason');
    expect(fieldsOf(apiSchema, 'Customer')).toEqual(expect.arrayContaining(['idNumber', 'creditRating']));
  });

  it('shows an auditor with a purpose every field, and without one only the fields that can be masked', () => {
    const withPurpose = schemaOf('AUDITOR', 'AUDIT');
    expect(fieldsOf(withPurpose, 'Customer')).toEqual(fieldsOf(apiSchema, 'Customer'));
    expect(introspectedFields(withPurpose, 'Customer')).toEqual(expect.arrayContaining(['idNumber', 'creditRating']));

    const withoutPurpose = schemaOf('AUDITOR');
    expect(fieldsOf(withoutPurpose, 'Customer')).toContain('idNumber');
    expect(fieldsOf(withoutPurpose, 'Customer')).not.toContain('creditRating');
  });

  it('drops types a BI analyst can reach no field of, and types left unreachable', () => {
    const analyst = schemaOf('BI_ANALYST');
    expect(validateSchema(analyst)).toEqual([]);
    expect(fieldsOf(analyst, 'Customer')).not.toContain('name');
    expect(fieldsOf(analyst, 'Customer')).not.toContain('household');
    expect(analyst.getType('HouseholdMember')).toBeUndefined();
    // Customer.addresses is CONFIDENTIAL, so Address (with an INTERNAL `kind`) is no longer reachable.
    expect(analyst.getType('Address')).toBeUndefined();
    expect(analyst.getType('Branch')).toBeDefined();
  });

  it('builds each schema once per policy version, role and purpose', () => {
    expect(schemaOf('HOTLINE_AGENT')).toBe(schemaOf('HOTLINE_AGENT'));
    expect(schemaOf('AUDITOR', 'AUDIT')).not.toBe(schemaOf('AUDITOR'));
    expect(roleSchemas.schemaFor({ policy: { ...policy, version: 'next' }, role: 'HOTLINE_AGENT', purpose: null })).not.toBe(schemaOf('HOTLINE_AGENT'));
  });
});

describe('role schemas with interfaces', () => {
  it('removes an interface field with the implementation field that denies it, and stays valid', () => {
    const roleSchemas = roleSchemasOver(buildSchema(PARTY_SCHEMA_SDL), PARTY_SCHEMA_SDL);
    const analyst = roleSchemas.schemaFor({ policy, role: 'BI_ANALYST', purpose: null });
    expect(validateSchema(analyst)).toEqual([]);
    expect(fieldsOf(analyst, 'Party')).toEqual(['id']);
    expect(fieldsOf(analyst, 'Person')).toEqual(['id']);
    expect(fieldsOf(analyst, 'Company')).toEqual(['id', 'name']);
  });
});
