import type { AuditEvent } from '../audit-record';
import { RequestAuditTrail } from '../request-audit-trail';
import { changedFields, SystemAuditUnavailableError, SystemChanges } from '../system-changes';
import { hashAuditChange } from '../audit-writer';

describe('changedFields', () => {
  it('lists the columns a write changed, comparing what a store hands back with what was written', () => {
    // As MySQL reads a row back: booleans as 1/0, DECIMAL as numbers, dates as strings.
    const stored = { policy_no: 'PPR202600000101', counts: 1, written_premium: 880, effective_date: '2026-06-01', note: null };
    expect(changedFields(stored, { policy_no: 'PPR202600000101', counts: true, written_premium: '880.00', effective_date: '2026-06-01', note: null })).toEqual(
      {},
    );
    expect(changedFields(stored, { counts: false, written_premium: '900.00', note: 'x' })).toEqual({
      counts: { before: 1, after: false },
      written_premium: { before: 880, after: '900.00' },
      note: { before: null, after: 'x' },
    });
  });

  it('lists every non-empty column of a record created, and only the named ones when asked', () => {
    expect(changedFields(undefined, { id: 7, status: 'OPEN', closed_at: null })).toEqual({
      id: { before: null, after: 7 },
      status: { before: null, after: 'OPEN' },
    });
    expect(changedFields({ a: 1, b: 1 }, { a: 2, b: 2 }, ['b'])).toEqual({ b: { before: 1, after: 2 } });
  });
});

describe('SystemChanges', () => {
  const work = { subgraph: 'claims', action: 'event:test.noted', requestId: 'event-1', policyVersion: 'v1', at: new Date('2026-11-02T02:00:00Z') };
  const change = { recordKey: 'Claim:1', beforeVersion: null, afterVersion: 1, fields: { status: { before: null, after: 'REPORTED' } } };

  it('hands its records over once committed, as the system actor, and withdraws them when rolled back', () => {
    const written: AuditEvent[] = [];
    let reserved = 0;
    const trail = new RequestAuditTrail({
      hashChange: (change) => hashAuditChange('test-pseudonym-secret-for-hashing', change),
      tryReserve: (records) => ((reserved += records), true),
      commitReserved: (events, records) => ((reserved -= records), written.push(...events)),
      releaseReserved: (records) => void (reserved -= records),
      healthy: () => true,
    });
    const committed = new SystemChanges(trail, work);
    committed.record(change);
    committed.committed();
    expect(written).toEqual([
      expect.objectContaining({
        requestId: 'event-1',
        staffId: 'system:claims',
        role: 'SYSTEM',
        coordinate: 'action:event:test.noted',
        recordKeys: ['Claim:1'],
      }),
    ]);
    const rolledBack = new SystemChanges(trail, work);
    rolledBack.record(change);
    rolledBack.rolledBack();
    expect(written).toHaveLength(1);
    expect(reserved).toBe(0);
    expect(() => rolledBack.record(change)).toThrow('after its transaction ended');
  });

  it('refuses a change the audit queue cannot take, so its write rolls back', () => {
    const full = new RequestAuditTrail({
      hashChange: (change) => hashAuditChange('test-pseudonym-secret-for-hashing', change),
      tryReserve: () => false,
      commitReserved: () => undefined,
      releaseReserved: () => undefined,
      healthy: () => false,
    });
    expect(() => new SystemChanges(full, work).record(change)).toThrow(SystemAuditUnavailableError);
  });
});
