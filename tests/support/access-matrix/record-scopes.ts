/**
 * Whose records are whose: the seeded company's facts (staff pools, candidate records) and the row scope
 * each subgraph attaches to the records it owns, read through its manifest.
 */
import { type RowScope, isOwnedEntity, scopeOfRow } from '@icg/shared';
import {
  DEFAULT_AS_OF,
  DEFAULT_SEED,
  generateCompanyBatch,
  generateOrg,
  type ClaimFact,
  type ComplaintFact,
  type CustomerFact,
  type OrgFacts,
  type PolicyFact,
  type StaffFact,
} from '@icg/synthetic';
import { SUBGRAPH_REGISTRY } from '@icg/tools';
import type { GraphUnderTest } from '../graph-under-test';

/** An object of a GraphQL response (the auditor's reference values): field name → value. */
export type ResponseObject = Readonly<Record<string, unknown>>;

export interface CompanyFacts {
  org: OrgFacts;
  customers: ReadonlyMap<string, CustomerFact>;
  policies: ReadonlyMap<string, PolicyFact>;
  claims: ReadonlyMap<string, ClaimFact>;
  complaints: ReadonlyMap<string, ComplaintFact>;
  staff: ReadonlyMap<string, StaffFact>;
}

/** The company `startGraph({ customers })` seeds: the same generator, seed and clock as the seed runner. */
export function seededCompany(customers: number, seed: number = DEFAULT_SEED): CompanyFacts {
  const org = generateOrg(seed);
  const batch = generateCompanyBatch({ seed, asOf: DEFAULT_AS_OF, org, firstCustomerId: 1, lastCustomerId: customers });
  return {
    org,
    customers: new Map(batch.customers.map((customer) => [String(customer.id), customer])),
    policies: new Map(batch.policies.map((policy) => [policy.policyNo, policy])),
    claims: new Map(batch.claims.map((claim) => [claim.reportNo, claim])),
    complaints: new Map(batch.complaints.map((complaint) => [complaint.complaintNo, complaint])),
    staff: new Map(org.staff.map((member) => [String(member.id), member])),
  };
}

/** A record the matrix cannot place: its scope is not modelled, or its facts are missing. */
export class UnknownScopeError extends Error {
  override name = 'UnknownScopeError';
}

/**
 * The row scope every stored record carries in the subgraph that owns it, read from the graph's stores
 * with the columns each subgraph's manifest names (its `entities`): the matrix derives no scope rule itself.
 */
export class RecordScopes {
  private constructor(private readonly byType: ReadonlyMap<string, { key: string; scopes: ReadonlyMap<string, RowScope> }>) {}

  static async load(graph: GraphUnderTest): Promise<RecordScopes> {
    const byType = new Map<string, { key: string; scopes: Map<string, RowScope> }>();
    for (const { manifest } of SUBGRAPH_REGISTRY) {
      for (const [typeName, entity] of Object.entries(manifest.entities)) {
        if (!isOwnedEntity(entity)) continue;
        const rows = (await graph.subgraphs[manifest.name]!.db(entity.table).select('*')) as Record<string, unknown>[];
        byType.set(typeName, { key: entity.key, scopes: new Map(rows.map((row) => [String(row[entity.keyColumn]), scopeOfRow(typeName, entity, row)])) });
      }
    }
    return new RecordScopes(byType);
  }

  /** The scope a record carries where it is loaded by its owner, found by the key its reference object holds. */
  own(typeName: string, reference: ResponseObject): RowScope {
    const entity = this.byType.get(typeName);
    if (!entity) throw new UnknownScopeError(`No subgraph manifest owns ${typeName}`);
    const key = reference[entity.key];
    if (typeof key !== 'string') throw new UnknownScopeError(`${typeName}.${entity.key} was not selected or is not a string in the reference`);
    const scope = entity.scopes.get(key);
    if (!scope) throw new UnknownScopeError(`${typeName} ${key} is not in its owner's store`);
    return scope;
  }
}

/** Stubs of an entity a subgraph extends without owning carry no scope (shared/src/subgraph-manifest.ts). */
export const EXTENSION_SCOPE = undefined;
