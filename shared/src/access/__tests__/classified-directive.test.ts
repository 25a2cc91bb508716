import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type ConstDirectiveNode, type ObjectTypeDefinitionNode } from 'graphql';
import { classifiedFields } from '../../enforcement/classified-fields';
import { classificationAmong, readClassifiedDirective } from '../classified-directive';

function directiveOf(field: string): ConstDirectiveNode {
  const type = parse(`type T { ${field} }`).definitions[0] as ObjectTypeDefinitionNode;
  return type.fields![0]!.directives![0]!;
}

describe('the @classified reader', () => {
  it('reads tier, category and mask, with the directive defaults for the last two', () => {
    expect(readClassifiedDirective(directiveOf('a: String @classified(tier: CONFIDENTIAL, category: CONTACT, mask: MOBILE)'), 'T.a')).toEqual({
      tier: 'CONFIDENTIAL',
      category: 'CONTACT',
      mask: 'MOBILE',
    });
    expect(readClassifiedDirective(directiveOf('a: String @classified(tier: INTERNAL)'), 'T.a')).toEqual({ tier: 'INTERNAL', category: 'GENERAL', mask: null });
    expect(readClassifiedDirective(directiveOf('a: String @classified(tier: INTERNAL, mask: null)'), 'T.a').mask).toBeNull();
  });

  it('refuses any value it does not know, naming the place and the value', () => {
    expect(() => readClassifiedDirective(directiveOf('a: String @classified(tier: SECRET)'), 'T.a')).toThrow(
      'T.a: @classified tier "SECRET" is not one of PUBLIC, INTERNAL, CONFIDENTIAL, RESTRICTED',
    );
    expect(() => readClassifiedDirective(directiveOf('a: String @classified(tier: INTERNAL, category: "HEALTH")'), 'T.a')).toThrow(
      'T.a: @classified category "HEALTH" is not one of',
    );
    expect(() => readClassifiedDirective(directiveOf('a: String @classified(category: HEALTH)'), 'T.a')).toThrow('T.a: @classified has no tier');
  });

  it('finds the directive under the name the schema links it as', () => {
    const directives = [directiveOf('a: String @secret(tier: RESTRICTED)')];
    expect(classificationAmong(directives, 'T.a')).toBeUndefined();
    expect(classificationAmong(directives, 'T.a', 'secret')).toEqual({ tier: 'RESTRICTED', category: 'GENERAL', mask: null });
  });

  it('stops a subgraph from building its enforcement over an unknown classification', () => {
    const schema = buildSubgraphSchema(
      parse(
        'directive @classified(tier: String, category: String, mask: String) on FIELD_DEFINITION | OBJECT\ntype Query { a: String @classified(tier: TOP) }',
      ),
    );
    expect(() => classifiedFields(schema)).toThrow('Query.a: @classified tier "TOP"');
  });
});
