/**
 * Health facts live only in HEALTH fields (docs/access-model.md section 1): the HEALTH category exceptions
 * of the policy can only protect what is classified HEALTH. Through the gateway, the auditor (with a
 * purpose, so everything is in clear) reads every field of every seeded customer and of everything
 * reachable from them; every text or enum value of a field above PUBLIC and not of category HEALTH must
 * be free of medical vocabulary.
 */
import { isEnumType } from 'graphql';
import { medicalWordsIn } from '@icg/shared';
import { generateMatrixOperations, renderOperation, type SelectedField } from './support/access-matrix/matrix-operations';
import { loadMatrixSchema } from './support/access-matrix/matrix-schema';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import type { GraphQLResponse } from './support/graphql-client';
import { TEST_DIALECTS } from './support/test-database';
import { composedSupergraph } from './support/composed-supergraph';

/** Enough customers for every claim cause, line of business and ticket type to occur. */
const CUSTOMERS = 400;
/** Customers looked up per operation (each under its own alias), within the gateway's limits. */
const CUSTOMERS_PER_OPERATION = 5;

interface Finding {
  coordinate: string;
  value: string;
  terms: string[];
}

interface ScanResult {
  /** Health facts in fields not classified HEALTH. */
  leaks: Finding[];
  /** Health facts where they belong: shows the scan reached the seeded health data at all. */
  inHealthFields: Finding[];
}

/** Walks a response along the selection that produced it, sorting each text or enum value by its field's class. */
function scanValue(selected: SelectedField, value: unknown, result: ScanResult): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) scanValue(selected, item, result);
    return;
  }
  if (selected.children !== null) {
    const object = value as Record<string, unknown>;
    for (const child of selected.children) scanValue(child, object[child.field.name], result);
    return;
  }
  const { field } = selected;
  const textual = field.stringLike || isEnumType(field.namedType);
  if (!textual || typeof value !== 'string' || field.classification.tier === 'PUBLIC') return;
  const terms = medicalWordsIn(value);
  if (terms.length === 0) return;
  const finding = { coordinate: field.coordinate, value, terms };
  if (field.classification.category === 'HEALTH') result.inHealthFields.push(finding);
  else result.leaks.push(finding);
}

/** Per field, how many values leak and one example: a readable failure instead of thousands of lines. */
function summarise(findings: readonly Finding[]): Record<string, { values: number; example: string; terms: string[] }> {
  const byCoordinate: Record<string, { values: number; example: string; terms: string[] }> = {};
  for (const finding of findings) {
    const entry = (byCoordinate[finding.coordinate] ??= { values: 0, example: finding.value, terms: [] });
    entry.values += 1;
    entry.terms = [...new Set([...entry.terms, ...finding.terms])].sort();
  }
  return byCoordinate;
}

/**
 * The auditor's query, repeated while clear RESTRICTED values are refused because the audit queue is full
 * (the store fails closed, docs/access-model.md section 7): this scan produces audit records faster than
 * they are written, and a refused value would go unscanned.
 */
async function queryInClear(graph: GraphUnderTest, query: string, variables: Record<string, unknown>): Promise<GraphQLResponse> {
  for (let attempt = 1; ; attempt++) {
    const response = await graph.query(query, variables);
    const refused = (response.errors ?? []).some((error) => error.extensions?.['code'] === 'FORBIDDEN_FIELD');
    if (!refused || attempt === 20) return response;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('the medical vocabulary of the health-facts scan', () => {
  it('catches what the security review found outside HEALTH fields, and not the harmless words of the data', () => {
    const reviewFindings = [
      '左胫腓骨骨折',
      '急性阑尾炎',
      '被保险人因急性脑梗死于2025年3月2日入院治疗，申请住院医疗保险金。',
      '下楼梯时摔倒致脚踝骨折，已住院治疗',
      '意外划伤手部，在医院门诊缝合处理',
      '意健险报案：门诊医疗',
      '责任险报案：第三者人身伤害',
      'INJURY',
      'ILLNESS',
      'HOSPITAL_DIRECT',
    ];
    expect(reviewFindings.filter((text) => medicalWordsIn(text).length === 0)).toEqual([]);
    const harmless = ['医生', '承保产品：医疗器械，年销售额约 800 万元', '意健险报案', 'ACCIDENT_HEALTH', '行驶时挡风玻璃被飞石击碎'];
    expect(harmless.filter((text) => medicalWordsIn(text).length > 0)).toEqual([]);
  });
});

describe.each(TEST_DIALECTS)('health facts in the seeded data on %s', (dialect) => {
  let graph: GraphUnderTest;

  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: CUSTOMERS });
  }, 300_000);

  afterAll(async () => {
    await graph?.close();
  });

  it('appear only in fields classified HEALTH', async () => {
    const model = loadMatrixSchema(composedSupergraph());
    const operation = generateMatrixOperations(model).find((candidate) => candidate.lookup.typeName === 'Customer');
    if (!operation) throw new Error('The supergraph has no root lookup of a Customer');
    const result: ScanResult = { leaks: [], inHealthFields: [] };
    const customerIds = Array.from({ length: CUSTOMERS }, (_unused, index) => String(index + 1));
    for (let start = 0; start < customerIds.length; start += CUSTOMERS_PER_OPERATION) {
      const rendered = renderOperation(operation, customerIds.slice(start, start + CUSTOMERS_PER_OPERATION));
      const response = await queryInClear(graph, rendered.query, rendered.variables);
      expect({ status: response.status, errors: response.errors ?? [] }).toEqual({ status: 200, errors: [] });
      for (const alias of rendered.aliases) {
        const customer = response.data?.[alias];
        expect(customer).toEqual(expect.objectContaining({ id: expect.any(String) }));
        scanValue(operation.root, customer, result);
      }
    }
    expect(result.inHealthFields.length).toBeGreaterThan(0);
    expect(summarise(result.leaks)).toEqual({});
  }, 300_000);
});
