/**
 * The role × field matrix (docs/access-model.md sections 2–4), generated from the supergraph and the policy
 * file: for every role and every classified field, on records in and out of the role's scope, a query
 * through the gateway returns exactly what the policy decides: the clear value (pseudonymised where the
 * policy says so), the exact mask, or null with one FORBIDDEN_FIELD error at that path. A role whose policy
 * says `neverReadable: unknown` sends the operations without the fields it may never read, and naming one of
 * them gets the error of a field that does not exist.
 */
import { loadAccessPolicy } from '@icg/shared';
import { composeRegisteredSubgraphs } from '@icg/tools';
import { matrixCallers, type MatrixCaller } from './support/access-matrix/matrix-callers';
import { takeCensus } from './support/access-matrix/matrix-census';
import { coverageGaps } from './support/access-matrix/matrix-coverage';
import { callerOperations, generateMatrixOperations, selectedCoordinates } from './support/access-matrix/matrix-operations';
import { formatMismatches } from './support/access-matrix/matrix-report';
import { AccessMatrixRun, type MatrixCase } from './support/access-matrix/matrix-run';
import { loadMatrixSchema } from './support/access-matrix/matrix-schema';
import { RecordScopes, seededCompany } from './support/access-matrix/record-scopes';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { TEST_DIALECTS } from './support/test-database';

/** Enough customers for rare records (complaints, blacklist entries, change requests) on each side of every scope. */
const CUSTOMERS = 200;

const policy = loadAccessPolicy();
const facts = seededCompany(CUSTOMERS);
// The supergraph the graph under test runs: startGraph composes the same one.
const model = loadMatrixSchema(composeRegisteredSubgraphs());
const operations = generateMatrixOperations(model);
const callers = matrixCallers(policy, facts);

describe('the generated access matrix', () => {
  it('reaches every field of every object type from the root lookups', () => {
    const selected = new Set(operations.flatMap((operation) => [...selectedCoordinates(operation)]));
    const unreached = model.allCoordinates().filter((coordinate) => !selected.has(coordinate));
    const skippedForRequiredArguments = [...new Set(operations.flatMap((operation) => operation.skipped))];
    expect({ unreached, skippedForRequiredArguments }).toEqual({ unreached: [], skippedForRequiredArguments: [] });
  });

  it('acts as every role of the policy file, and without a purpose where one matters', () => {
    expect([...new Set(callers.map((caller) => caller.role))].sort()).toEqual(Object.keys(policy.roles).sort());
    expect(callers.filter((caller) => caller.purpose === null).map((caller) => caller.role)).toEqual(
      expect.arrayContaining(['AUDITOR', 'SERVICE_CENTER_MANAGER']),
    );
  });
});

describe.each(TEST_DIALECTS)('role × field access matrix through the gateway on %s', (dialect) => {
  let graph: GraphUnderTest;
  let run: AccessMatrixRun;
  // Each caller's cases run once, whichever test asks first, so the coverage test also works on its own.
  const results = new Map<string, Promise<MatrixCase[]>>();
  const casesOf = (caller: MatrixCaller): Promise<MatrixCase[]> => {
    let cases = results.get(caller.label);
    if (!cases) {
      cases = run.runCaller(caller);
      results.set(caller.label, cases);
    }
    return cases;
  };

  beforeAll(async () => {
    // The census reads 200 customers with everything they hold in one operation; on a loaded machine that can
    // take longer than the default deadline, which is not what this matrix tests.
    graph = await startGraph({ dialect, customers: CUSTOMERS, subgraphTimeoutMs: 60_000 });
    run = new AccessMatrixRun({ graph, model, operations, facts, scopes: await RecordScopes.load(graph), policy, census: await takeCensus(graph, model) });
  }, 120_000);
  afterAll(async () => graph?.close());

  it.each(callers.map((caller) => [caller.label, caller] as const))('%s gets exactly the policy decision for every field', async (_label, caller) => {
    const cases = await casesOf(caller);
    const report = formatMismatches(caller.label, cases);
    if (report) throw new Error(report);
    expect(cases.length).toBeGreaterThanOrEqual(operations.length);
  });

  it('checked every field each caller can be shown, on both sides of their scope where the policy tells them apart', async () => {
    const gaps: string[] = [];
    for (const caller of callers) {
      const observations = (await casesOf(caller)).flatMap((matrixCase) => matrixCase.observations);
      // A role that cannot name its hidden fields is checked on what it can name; the refusal test covers the rest.
      const sent = callerOperations(model, policy, caller, operations);
      gaps.push(...coverageGaps(model, policy, caller, sent, observations).map((gap) => `${caller.label}: ${gap}`));
    }
    expect(gaps).toEqual([]);
  }, 120_000);

  const unknownCallers = callers.filter((caller) => policy.roles[caller.role].neverReadable === 'unknown');
  it('has roles whose policy says neverReadable: unknown', () => expect(unknownCallers.length).toBeGreaterThan(0));
  it.each(unknownCallers.map((caller) => [caller.label, caller] as const))(
    '%s is refused every field it may never read, as a field that does not exist',
    async (_label, caller) => {
      expect(await run.refusalMismatches(caller)).toEqual([]);
    },
    120_000,
  );
});
