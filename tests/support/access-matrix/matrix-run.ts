/**
 * Runs the matrix through the gateway: for a caller and each root lookup, on each side of their scope,
 * the chosen records are looked up in one request as the chosen staff member, and every value is
 * compared with the policy's decision against the auditor's reference for the same operation.
 */
import { sealIdentifier, sealsIdentifiers, type AccessPolicy } from '@icg/shared';
import type { GraphQLResponse } from '../graphql-client';
import type { GraphUnderTest } from '../graph-under-test';
import { sideBySide } from '../side-by-side';
import { AUDITOR, TEST_PSEUDONYM_SECRET } from '../test-security';
import type { MatrixCaller, MatrixStaff } from './matrix-callers';
import type { Census } from './matrix-census';
import { compareResponse, type Comparison, type Mismatch, type Observation } from './matrix-expectations';
import { callerOperations, expectedRefusals, hiddenCoordinates, renderOperation, type MatrixOperation, type RenderedOperation } from './matrix-operations';
import { candidateRecords, planSides, type CandidateRecord } from './matrix-records';
import type { MatrixSchema } from './matrix-schema';
import type { CompanyFacts, RecordScopes, ResponseObject } from './record-scopes';

/** Records looked up per request: the gateway's cost limit allows three of the largest operation. */
const RECORDS_PER_REQUEST = 3;
/** Fresh response-and-reference pairs compared when a value differs, for values that follow the clock. */
const CLOCK_RETRIES = 2;
/** Cases of one caller run side by side, so one request's I/O overlaps another's work. */
const CONCURRENT_CASES = 4;
/** Tries of the auditor's reference when a store or subgraph could not answer in time. */
const REFERENCE_ATTEMPTS = 3;
const TRANSIENT_CODES = new Set(['DATABASE_UNAVAILABLE', 'SUBGRAPH_TIMEOUT', 'SUBGRAPH_UNAVAILABLE']);

/** Every error of the answer says a store or subgraph could not answer now (and there is at least one). */
const isTransientFailure = (response: GraphQLResponse): boolean =>
  (response.errors?.length ?? 0) > 0 && response.errors!.every((error) => TRANSIENT_CODES.has(String(error.extensions?.['code'])));

export interface MatrixCase {
  /** e.g. `customer(id) out of scope as staff 130 at /1/10/12/`. */
  label: string;
  keys: readonly string[];
  mismatches: Mismatch[];
  observations: Observation[];
}

export interface MatrixRunOptions {
  graph: GraphUnderTest;
  model: MatrixSchema;
  operations: readonly MatrixOperation[];
  facts: CompanyFacts;
  scopes: RecordScopes;
  census: Census;
  policy: AccessPolicy;
}

export class AccessMatrixRun {
  /** The auditor's view of each record, `Type:key` → the looked-up object (a pending fetch while under way). */
  private readonly references = new Map<string, Promise<ResponseObject>>();
  private readonly candidates = new Map<string, CandidateRecord[]>();

  constructor(private readonly options: MatrixRunOptions) {}

  async runCaller(caller: MatrixCaller): Promise<MatrixCase[]> {
    const sent = callerOperations(this.options.model, this.options.policy, caller, this.options.operations);
    const planned = this.options.operations.flatMap((operation, index) =>
      planSides(caller, this.candidatesOf(operation.lookup.typeName), RECORDS_PER_REQUEST).map((side) => ({ operation, sentOperation: sent[index]!, side })),
    );
    return sideBySide(planned, CONCURRENT_CASES, ({ operation, sentOperation, side }) =>
      this.runCase(
        operation,
        sentOperation,
        side.staff,
        side.keys,
        `${operation.lookup.fieldName}(${operation.lookup.keyArgument}) ${side.label} as ${side.staff.label}`,
      ),
    );
  }

  private candidatesOf(typeName: string): CandidateRecord[] {
    let candidates = this.candidates.get(typeName);
    if (!candidates) {
      candidates = candidateRecords(this.options.facts, this.options.scopes, this.options.census, typeName);
      this.candidates.set(typeName, candidates);
    }
    return candidates;
  }

  /** The auditor's reference for each key, fetched in one request unless already known. */
  private async referenceObjects(operation: MatrixOperation, keys: readonly string[]): Promise<ResponseObject[]> {
    const typeName = operation.lookup.typeName;
    const missing = keys.filter((key) => !this.references.has(`${typeName}:${key}`));
    if (missing.length > 0) {
      const fetched = this.fetchReference(operation, renderOperation(operation, missing));
      // A reference that failed is not kept: the next case asks again rather than failing on it too.
      fetched.catch(() => missing.forEach((key) => this.references.delete(`${typeName}:${key}`)));
      missing.forEach((key, index) =>
        this.references.set(
          `${typeName}:${key}`,
          fetched.then((objects) => objects[index]!),
        ),
      );
    }
    return Promise.all(keys.map((key) => this.references.get(`${typeName}:${key}`)!));
  }

  /**
   * The same operation as the auditor with purpose AUDIT: everything in clear, and never an error. A store that could
   * not serve in time (the pool's wait ran out on a loaded machine) is asked again: the reference is what the
   * matrix compares with, not what it tests.
   */
  private async fetchReference(operation: MatrixOperation, rendered: RenderedOperation): Promise<ResponseObject[]> {
    let response = await this.options.graph.query(rendered.query, rendered.variables, AUDITOR);
    for (let attempt = 1; attempt < REFERENCE_ATTEMPTS && isTransientFailure(response); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      response = await this.options.graph.query(rendered.query, rendered.variables, AUDITOR);
    }
    if (response.status !== 200 || response.errors?.length || !response.data) {
      const errors = (response.errors ?? [])
        .slice(0, 5)
        .map((error) => `${JSON.stringify(error.path)} ${String(error.extensions?.['code'])}: ${error.message}`);
      throw new Error(
        `The auditor's reference for ${operation.lookup.coordinate} ${Object.values(rendered.variables).join(', ')} failed (HTTP ${response.status}):\n${errors.join('\n')}`,
      );
    }
    const data = response.data;
    return rendered.aliases.map((alias) => {
      const object = data[alias];
      if (typeof object !== 'object' || object === null)
        throw new Error(`${operation.lookup.coordinate} found no record ${rendered.variables[alias]}: the stores disagree with the seeded facts`);
      return object as ResponseObject;
    });
  }

  /**
   * For a role whose policy says `neverReadable: unknown`: the full operation of each lookup, naming every hidden
   * field, is refused with exactly one "Cannot query field" error per hidden field it names, and nothing else.
   */
  async refusalMismatches(caller: MatrixCaller): Promise<string[]> {
    const { graph, model, policy, operations } = this.options;
    const hidden = hiddenCoordinates(model, policy, caller.role, caller.purpose);
    const mismatches: string[] = [];
    for (const operation of operations) {
      const key = this.candidatesOf(operation.lookup.typeName)[0]?.key;
      if (key === undefined) continue;
      const rendered = renderOperation(operation, this.keysAs(caller.role, [key]));
      const response = await graph.query(rendered.query, rendered.variables, caller.staffPool[0]!.acting);
      const expected = expectedRefusals(operation, hidden).sort();
      const actual = (response.errors ?? [])
        .map((error) => `${error.message}${error.extensions?.['code'] === 'GRAPHQL_VALIDATION_FAILED' ? '' : ` (${String(error.extensions?.['code'])})`}`)
        .sort();
      if (expected.length === 0) continue;
      if (response.data !== undefined || JSON.stringify(actual) !== JSON.stringify(expected))
        mismatches.push(
          `${operation.lookup.coordinate}: expected ${JSON.stringify(expected)}, got data ${response.data === undefined ? 'absent' : 'present'} and ${JSON.stringify(actual)}`,
        );
    }
    return mismatches;
  }

  /** A role that seals identifiers looks records up by the sealed keys it is given (every lookup argument is an identifier). */
  private keysAs(role: string, keys: readonly string[]): string[] {
    return sealsIdentifiers(this.options.policy, role) ? keys.map((key) => sealIdentifier(TEST_PSEUDONYM_SECRET, key)) : [...keys];
  }

  private async runCase(
    operation: MatrixOperation,
    sentOperation: MatrixOperation,
    staff: MatrixStaff,
    keys: readonly string[],
    label: string,
  ): Promise<MatrixCase> {
    const { graph, model, scopes, policy } = this.options;
    // The reference always names every field; the caller sends what its role can name, with the keys as its role has them.
    const rendered = renderOperation(sentOperation, this.keysAs(staff.caller.role, keys));
    const compareWith = (references: readonly ResponseObject[], response: GraphQLResponse): Comparison => {
      const reference = Object.fromEntries(rendered.aliases.map((alias, index) => [alias, references[index]]));
      const data = response.data as ResponseObject | null | undefined;
      const comparison = compareResponse({
        model,
        scopes,
        policy,
        caller: staff.caller,
        pseudonymSecret: TEST_PSEUDONYM_SECRET,
        operation: sentOperation,
        aliases: rendered.aliases,
        reference,
        data,
        errors: response.errors ?? [],
      });
      if (response.status !== 200)
        comparison.mismatches.unshift({ coordinate: operation.lookup.coordinate, path: '(HTTP)', expected: '200', actual: String(response.status) });
      return comparison;
    };
    const cached = await this.referenceObjects(operation, keys);
    let comparison = compareWith(cached, await graph.query(rendered.query, rendered.variables, staff.acting));
    // Some values follow the clock (SLA minutes, tenure, overdue) and the cached reference may be minutes old: compare
    // again a response and a reference taken together; twice, in case a minute turned between the two.
    for (let attempt = 0; attempt < CLOCK_RETRIES && comparison.mismatches.length > 0; attempt++) {
      const response = await graph.query(rendered.query, rendered.variables, staff.acting);
      comparison = compareWith(await this.fetchReference(operation, renderOperation(sentOperation, keys)), response);
    }
    return { label, keys, ...comparison };
  }
}
