/**
 * A census of the seeded records, taken once as the auditor: every customer and, through the customer's
 * lists, every record of the types looked up by key (policies, claims, complaints, tickets) with which of
 * their own child records (a household with minors, payments, call records…) and personal values exist.
 * It tells which records show the most of a caller's rules before the matrix asks for any of them in full.
 */
import { getNullableType, isListType, isObjectType } from 'graphql';
import type { GraphQLResponse } from '../graphql-client';
import type { GraphUnderTest } from '../graph-under-test';
import { AUDITOR } from '../test-security';
import type { MatrixField, MatrixSchema } from './matrix-schema';
import type { ResponseObject } from './record-scopes';

export interface CensusRecord {
  typeName: string;
  key: string;
  /** Keys, references to other entities (`assignee { id }`), personal values and child records. */
  reference: ResponseObject;
  /** Coordinates the record has a value for (non-null, non-empty), its child records' included. */
  valued: ReadonlySet<string>;
}

export interface Census {
  /** Undefined for types the census does not reach (staff, branches: their children always exist). */
  records(typeName: string): readonly CensusRecord[] | undefined;
}

interface CensusPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: ResponseObject[];
}

/** The root that lists customers a page at a time; the census walks it to the end. */
const LISTING = { field: 'customers', typeName: 'Customer', pageSize: 200 } as const;

/** Key fields, references' keys, personal values, and child value objects (with theirs) down to the leaves. */
function censusSelection(model: MatrixSchema, typeName: string, followLists: boolean, typesWithLists: Set<string>): string {
  const entityKeys = (name: string) => model.entity(name)!.keyFields.join(' ');
  const parts: string[] = [entityKeys(typeName)];
  for (const field of model.fieldsOf(typeName)) {
    if (field.requiredArguments.length > 0) continue;
    if (!isObjectType(field.namedType)) {
      if (isSensitive(field)) parts.push(field.name);
      continue;
    }
    const childType = field.namedType.name;
    const entity = model.entity(childType);
    const isList = isListType(getNullableType(field.type));
    if (!entity) parts.push(`${field.name} ${valueSelection(model, childType)}`);
    else if (!isList) parts.push(`${field.name} { ${entityKeys(childType)} }`);
    else if (followLists && model.rootLookups.some((lookup) => lookup.typeName === childType) && childType !== typeName) {
      typesWithLists.add(childType);
      parts.push(`${field.name} { ${censusSelection(model, childType, false, typesWithLists)} }`);
    }
  }
  return parts.join(' ');
}

function valueSelection(model: MatrixSchema, typeName: string): string {
  const children = model
    .fieldsOf(typeName)
    .filter((field) => field.requiredArguments.length === 0 && (isObjectType(field.namedType) ? !model.entity(field.namedType.name) : isSensitive(field)))
    .map((field) => (isObjectType(field.namedType) ? `${field.name} ${valueSelection(model, field.namedType.name)}` : field.name));
  return `{ __typename ${children.join(' ')} }`;
}

/** Personal values (above INTERNAL) are null on many records: the census notes who has them. */
function isSensitive(field: MatrixField): boolean {
  return field.classification.tier === 'CONFIDENTIAL' || field.classification.tier === 'RESTRICTED';
}

function valuedCoordinates(typeName: string, object: ResponseObject, into: Set<string>): Set<string> {
  for (const [name, value] of Object.entries(object)) {
    if (name === '__typename' || value === null || (Array.isArray(value) && value.length === 0)) continue;
    into.add(`${typeName}.${name}`);
    if (typeof value !== 'object') continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      const child = item as ResponseObject;
      if (typeof child['__typename'] === 'string') valuedCoordinates(child['__typename'], child, into);
    }
  }
  return into;
}

export async function takeCensus(graph: GraphUnderTest, model: MatrixSchema): Promise<Census> {
  const listedTypes = new Set<string>();
  const selection = censusSelection(model, LISTING.typeName, true, listedTypes);
  const query = `query AccessMatrixCensus($first: Int, $after: String) { ${LISTING.field}(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { ${selection} } } }`;
  const byType = new Map<string, Map<string, CensusRecord>>([
    [LISTING.typeName, new Map()],
    ...[...listedTypes].map((name) => [name, new Map<string, CensusRecord>()] as const),
  ]);
  const add = (typeName: string, object: ResponseObject) => {
    const entity = model.entity(typeName)!;
    const key = String(object[entity.keyFields[0]!]);
    const record: CensusRecord = { typeName, key, reference: object, valued: valuedCoordinates(typeName, object, new Set()) };
    byType.get(typeName)!.set(key, record);
  };

  let after: string | null = null;
  for (;;) {
    const response: GraphQLResponse<Record<string, CensusPage>> = await graph.query<Record<string, CensusPage>>(
      query,
      { first: LISTING.pageSize, after },
      AUDITOR,
    );
    if (response.errors?.length || !response.data) throw new Error(`The census failed: ${JSON.stringify(response.errors?.slice(0, 3))}`);
    const page: CensusPage = response.data[LISTING.field]!;
    for (const customer of page.nodes) {
      add(LISTING.typeName, customer);
      for (const field of model.fieldsOf(LISTING.typeName)) {
        const listed = customer[field.name];
        if (listedTypes.has(field.namedType.name) && Array.isArray(listed)) for (const item of listed as ResponseObject[]) add(field.namedType.name, item);
      }
    }
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return { records: (typeName) => (byType.has(typeName) ? [...byType.get(typeName)!.values()] : undefined) };
}
