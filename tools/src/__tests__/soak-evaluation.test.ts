import { AuditReconciler, type AuditReconciliation } from '../benchmarks/soak/audit-reconciliation';
import { readFieldTypes, SensitiveValueCounter } from '../benchmarks/soak/sensitive-values';
import { evaluateSoak, failureCodes, judgeAnswer, MinuteRecorder, type SoakOutcome } from '../benchmarks/soak/soak-evaluation';

const SDL = `
type Query { customer(id: ID!): Customer }
type Customer { id: ID! name: String mobile: String kind: String branch: Branch policies: [Policy!]! claims: [Claim!]! }
type Branch { name: String }
type Policy { policyNo: String! premium: Int claims: [Claim!]! }
type Claim { reportNo: String! status: String incurred: Int policy: Policy }
`;
const SENSITIVE = new Set(['Customer.name', 'Customer.mobile', 'Policy.premium', 'Claim.incurred', 'Branch.name']);
const QUERY = `query Q($id: ID!) { customer(id: $id) { id name mobile kind branch { name }
  policies { policyNo premium claims { reportNo incurred } }
  claims { reportNo status incurred policy { policyNo premium } } } }`;

describe('bench:soak sensitive values served (what the audit trail must hold)', () => {
  const counter = new SensitiveValueCounter(QUERY, readFieldTypes(SDL), (coordinate) => SENSITIVE.has(coordinate));

  it('lists the sensitive coordinates the query reaches, and only those', () => {
    expect(counter.coordinates).toEqual(['Customer.name', 'Customer.mobile', 'Branch.name', 'Policy.premium', 'Claim.incurred']);
  });

  it('counts each record once per coordinate however often the answer reaches it, nulls included', () => {
    const data = {
      customer: {
        id: '7',
        name: 'A',
        mobile: null,
        kind: 'PERSON',
        branch: { name: 'North' },
        policies: [
          { policyNo: 'P1', premium: 10, claims: [{ reportNo: 'R1', incurred: 5 }] },
          { policyNo: 'P2', premium: null, claims: [] },
        ],
        // R1 again (under its policy above), and R2 whose policy P1 is reached a second time.
        claims: [
          { reportNo: 'R1', status: 'OPEN', incurred: 5, policy: { policyNo: 'P1', premium: 10 } },
          { reportNo: 'R2', status: 'OPEN', incurred: 1, policy: { policyNo: 'P1', premium: 10 } },
        ],
      },
    };
    expect(counter.count(data)).toEqual([1, 1, 1, 2, 2]);
  });

  it('counts nothing for a customer that is not found', () => {
    expect(counter.count({ customer: null })).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('bench:soak answers: what counts as an error, by code', () => {
  it('is complete only with 200 and no error', () => {
    expect(judgeAnswer(200, '{"data":{"customer":null}}', undefined)).toEqual({ ok: true, data: { customer: null } });
  });

  it('names every GraphQL error by its code, a non-200 by its status, a dropped connection by its socket code', () => {
    const partial = JSON.stringify({
      data: {},
      errors: [{ extensions: { code: 'FORBIDDEN_FIELD' } }, { message: 'x' }, { extensions: { code: 'SUBGRAPH_TIMEOUT', subgraph: 'claims' } }],
    });
    expect(judgeAnswer(200, partial, undefined)).toEqual({ ok: false, codes: ['FORBIDDEN_FIELD', 'NO CODE', 'SUBGRAPH_TIMEOUT (claims)'] });
    expect(judgeAnswer(503, '{"errors":[]}', undefined)).toEqual({ ok: false, codes: ['HTTP 503'] });
    expect(judgeAnswer(200, '<html>', undefined)).toEqual({ ok: false, codes: ['BODY NOT JSON'] });
    expect(judgeAnswer(undefined, '', 'ECONNRESET')).toEqual({ ok: false, codes: ['TRANSPORT ECONNRESET'] });
  });
});

describe('bench:soak rate measurement failures, reported without the answer (it holds customer data)', () => {
  it('keeps the status or the codes and drops the body', () => {
    expect(failureCodes(undefined)).toBeUndefined();
    expect(failureCodes('HTTP 503: {"errors":[{"message":"x"}]}')).toBe('HTTP 503');
    const truncated =
      'errors in the answer: {"errors":[{"message":"The claims subgraph is unavailable","extensions":{"code":"SUBGRAPH_UNAVAILABLE","subgraph":"claims"}}],"data":{"customer":{"id":"68325","customerNo":"CU1';
    expect(failureCodes(truncated)).toBe('SUBGRAPH_UNAVAILABLE (claims)');
    expect(failureCodes('errors in the answer: {"errors":[{"message":"x"}]}')).toBe('a GraphQL error without a code');
    expect(failureCodes('socket hang up')).toBe('transport: socket hang up');
  });
});

describe('bench:soak minutes', () => {
  it('reports each minute on its own answers, errors kept out of the latency percentiles', () => {
    const minutes = new MinuteRecorder();
    for (let latency = 1; latency <= 100; latency++) minutes.record(latency, true);
    minutes.record(10_000, false);
    const first = minutes.close({ gateway: 1 }, 3.5);
    expect(first).toEqual({ minute: 1, requests: 101, errors: 1, p50Ms: 50, p99Ms: 99, heapBytes: { gateway: 1 }, loadAverage: 3.5 });
    minutes.record(7, true);
    expect(minutes.close({}, 1)).toMatchObject({ minute: 2, requests: 1, errors: 0, p50Ms: 7, p99Ms: 7 });
    minutes.discard();
    expect(minutes.minutes).toEqual([]);
  });
});

const COORDINATES = ['Customer.name', 'Policy.premium'];

function reconcile(served: Record<string, number[]>, rows: [string, string, string[]][], failed: string[] = []): AuditReconciliation {
  const reconciler = new AuditReconciler(COORDINATES, new Map(Object.entries(served)), new Set(failed));
  for (const [requestId, coordinate, pseudonyms] of rows) reconciler.add({ requestId, coordinate, pseudonyms });
  return reconciler.result();
}

describe('bench:soak audit reconciliation (records equal to the sensitive values served)', () => {
  it('matches a request whose records list each value served once, across the records of several subgraph calls', () => {
    const result = reconcile({ r1: [1, 2] }, [
      ['r1', 'Customer.name', ['ps_c']],
      ['r1', 'Policy.premium', ['ps_p1']],
      // A second call to the same subgraph in the same request: its own record, one policy again and one new.
      ['r1', 'Policy.premium', ['ps_p1', 'ps_p2']],
    ]);
    expect(result).toMatchObject({ answered: 1, matching: 1, withoutRecords: 0, strangers: 0, mismatches: [] });
    expect(result.coordinates).toEqual([
      { coordinate: 'Customer.name', served: 1, audited: 1 },
      { coordinate: 'Policy.premium', served: 2, audited: 2 },
    ]);
  });

  it('finds a value served without its record, a request without any record, records of requests never answered, and records of fields never served', () => {
    const result = reconcile(
      { r1: [1, 2], r2: [1, 0], r3: [1, 1] },
      [
        ['r1', 'Customer.name', ['ps_c']],
        ['r1', 'Policy.premium', ['ps_p1']],
        ['r2', 'Customer.name', ['ps_c2']],
        ['r2', 'Customer.mobile', ['ps_c2']],
        ['r4', 'Customer.name', ['ps_x']],
        ['r5', 'Customer.name', ['ps_y']],
      ],
      ['r5'],
    );
    expect(result).toMatchObject({ answered: 3, matching: 0, withoutRecords: 1, strangers: 1, failedWithRecords: 1 });
    expect(result.mismatches).toEqual([
      'request r1: Policy.premium served 2, audited 1',
      'request r2: Customer.mobile served 0, audited 1',
      'request r3: no audit record (served 2 values)',
    ]);
    expect(result.coordinates).toEqual([
      { coordinate: 'Customer.name', served: 3, audited: 2 },
      { coordinate: 'Policy.premium', served: 3, audited: 1 },
      { coordinate: 'Customer.mobile', served: 0, audited: 1 },
    ]);
  });

  it('refuses rows that are not grouped by request id (the comparison would be wrong)', () => {
    expect(() =>
      reconcile({ r1: [1, 0], r2: [1, 0] }, [
        ['r1', 'Customer.name', ['a']],
        ['r2', 'Customer.name', ['b']],
        ['r1', 'Policy.premium', ['c']],
      ]),
    ).toThrow('grouped by request id');
  });
});

describe('bench:soak pass criteria', () => {
  const audit: AuditReconciliation = {
    answered: 10,
    matching: 10,
    withoutRecords: 0,
    strangers: 0,
    failedWithRecords: 0,
    coordinates: [{ coordinate: 'Customer.name', served: 10, audited: 10 }],
    mismatches: [],
  };
  const good: SoakOutcome = {
    errorsByCode: {},
    heaps: [
      { name: 'gateway', startBytes: 100, endBytes: 110 },
      { name: 'customers', startBytes: 100, endBytes: 90 },
    ],
    audit,
  };
  const verdicts = (outcome: SoakOutcome) => evaluateSoak(outcome).map((criterion) => criterion.passed);

  it('passes with no error, every heap within 10 % either way, and the audit matching', () => {
    expect(verdicts(good)).toEqual([true, true, true]);
  });

  it('fails on a single error and lists the errors by code, most frequent first', () => {
    const [errors] = evaluateSoak({ ...good, errorsByCode: { 'HTTP 502': 1, FORBIDDEN_FIELD: 3 } });
    expect(errors).toEqual({ name: 'zero errors', passed: false, detail: '4 errors: FORBIDDEN_FIELD × 3, HTTP 502 × 1' });
  });

  it('fails when one process grew (or shrank) by more than 10 %', () => {
    expect(verdicts({ ...good, heaps: [...good.heaps, { name: 'claims', startBytes: 100, endBytes: 111 }] })).toEqual([true, false, true]);
    expect(verdicts({ ...good, heaps: [{ name: 'claims', startBytes: 100, endBytes: 89 }] })).toEqual([true, false, true]);
    expect(verdicts({ ...good, heaps: [] })[1]).toBe(false);
  });

  it('fails the audit on any request that does not match, any stranger, any total that differs, or nothing compared', () => {
    expect(verdicts({ ...good, audit: { ...audit, matching: 9 } })[2]).toBe(false);
    expect(verdicts({ ...good, audit: { ...audit, strangers: 1 } })[2]).toBe(false);
    expect(verdicts({ ...good, audit: { ...audit, coordinates: [{ coordinate: 'Customer.name', served: 10, audited: 11 }] } })[2]).toBe(false);
    expect(verdicts({ ...good, audit: { ...audit, answered: 0, matching: 0 } })[2]).toBe(false);
  });
});
