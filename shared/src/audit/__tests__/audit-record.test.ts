import { createHash } from 'node:crypto';
import { AUDIT_GENESIS_HASH, canonicalAuditRecord, hashAuditRecord, type AuditRecordContent } from '../audit-record';

const CONTENT: AuditRecordContent = {
  chain: 'customers#0001',
  sequence: 1,
  requestId: 'req-1',
  occurredAt: '2024-05-01T08:30:00.000Z',
  staffId: '12',
  role: 'CLAIMS_ADJUSTER',
  purpose: 'CLAIM_HANDLING',
  operationName: null,
  operationHash: 'b'.repeat(64),
  coordinate: 'Customer.idNumber',
  recordPseudonym: 'ps_AAAAAAAAAAAAAAAAAAAAAA',
  decision: 'ALLOW',
  rule: 'CLAIMS_ADJUSTER:RESTRICTED',
  policyVersion: '7',
  decisionId: null,
  prevHash: AUDIT_GENESIS_HASH,
};

describe('audit record hashing', () => {
  it('starts chains from 64 zeros', () => {
    expect(AUDIT_GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('serialises in a fixed field order, whatever order the object was built in', () => {
    const reordered = Object.fromEntries(Object.entries(CONTENT).reverse()) as unknown as AuditRecordContent;
    expect(canonicalAuditRecord(reordered)).toBe(canonicalAuditRecord(CONTENT));
    expect(Object.keys(JSON.parse(canonicalAuditRecord(CONTENT)) as object)).toEqual([
      'chain',
      'sequence',
      'requestId',
      'occurredAt',
      'staffId',
      'role',
      'purpose',
      'operationName',
      'operationHash',
      'coordinate',
      'recordPseudonym',
      'decision',
      'rule',
      'policyVersion',
      'decisionId',
      'prevHash',
    ]);
  });

  it('ignores properties outside the record', () => {
    const withExtra = { ...CONTENT, hash: 'f'.repeat(64), id: 99 };
    expect(canonicalAuditRecord(withExtra)).toBe(canonicalAuditRecord(CONTENT));
  });

  it('is SHA-256(prevHash ‖ canonical record), lowercase hex', () => {
    const expected = createHash('sha256')
      .update(CONTENT.prevHash + canonicalAuditRecord(CONTENT))
      .digest('hex');
    expect(hashAuditRecord(CONTENT)).toBe(expected);
    expect(hashAuditRecord(CONTENT)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with every field', () => {
    const base = hashAuditRecord(CONTENT);
    expect(hashAuditRecord({ ...CONTENT, decision: 'DENY' })).not.toBe(base);
    expect(hashAuditRecord({ ...CONTENT, sequence: 2 })).not.toBe(base);
    expect(hashAuditRecord({ ...CONTENT, purpose: null })).not.toBe(base);
    expect(hashAuditRecord({ ...CONTENT, operationName: '' })).not.toBe(base);
    expect(hashAuditRecord({ ...CONTENT, prevHash: '1'.repeat(64) })).not.toBe(base);
  });
});
