import { buildSchema, parse } from 'graphql';
import { RoleOperationValidation } from '../role-operation-validation';

const roleSchema = buildSchema('type Query { customer: Customer } type Customer { mobile: String customerNo: String }');

describe('RoleOperationValidation', () => {
  it('refuses a field the role schema lacks with graphql’s own message and location, the extensions given, and no suggestion', () => {
    const extensions = { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } };
    const errors = new RoleOperationValidation().errorsFor(roleSchema, parse('{ customer { mobil } }'), 'key', extensions);
    expect(errors.map((error) => error.toJSON())).toEqual([
      {
        message: 'Cannot query field "mobil" on type "Customer".',
        locations: [{ line: 1, column: 14 }],
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
      },
    ]);
  });

  it('accepts a document valid for the role', () => {
    expect(new RoleOperationValidation().errorsFor(roleSchema, parse('{ customer { mobile customerNo } }'), 'key')).toEqual([]);
  });

  it('hands out fresh errors on every call, so a plugin rewriting one request’s message cannot touch the next', () => {
    const validation = new RoleOperationValidation();
    const document = parse('{ customer { name } }');
    const first = validation.errorsFor(roleSchema, document, 'key');
    first[0]!.message = 'rewritten';
    expect(validation.errorsFor(roleSchema, document, 'key')[0]?.message).toBe('Cannot query field "name" on type "Customer".');
  });
});
