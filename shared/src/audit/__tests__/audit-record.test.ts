import { createHash, createHmac } from 'node:crypto';
import {
  AUDIT_GENESIS_HASH,
  canonicalAuditRecord,
  canonicalLegacyAuditRecord,
  hashAuditRecord,
  hashLegacyAuditRecord,
  type AuditRecordContent,
  type LegacyAuditRecordContent,
} from '../audit-record';

const KEY = 'audit-record-test-chain-key-0123';

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
  recordPseudonyms: ['ps_AAAAAAAAAAAAAAAAAAAAAA', 'ps_BBBBBBBBBBBBBBBBBBBBBB'],
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
      'format',
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
      'recordPseudonyms',
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

  it('is HMAC-SHA-256(chain key, prevHash ‖ canonical record), lowercase hex', () => {
    const expected = createHmac('sha256', KEY)
      .update(CONTENT.prevHash + canonicalAuditRecord(CONTENT))
      .digest('hex');
    expect(hashAuditRecord(KEY, CONTENT)).toBe(expected);
    expect(hashAuditRecord(KEY, CONTENT)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashAuditRecord('another-chain-key-0123456789abcd', CONTENT)).not.toBe(expected);
  });

  it('still computes format 1 (one value per record) as SHA-256(prevHash ‖ canonical record), so old records verify', () => {
    const { recordPseudonyms: _list, ...common } = CONTENT;
    const legacy: LegacyAuditRecordContent = { ...common, recordPseudonym: 'ps_AAAAAAAAAAAAAAAAAAAAAA' };
    expect(Object.keys(JSON.parse(canonicalLegacyAuditRecord(legacy)) as object)).not.toContain('format');
    expect(hashLegacyAuditRecord(legacy)).toBe(
      createHash('sha256')
        .update(legacy.prevHash + canonicalLegacyAuditRecord(legacy))
        .digest('hex'),
    );
  });

  it('changes with every field', () => {
    const base = hashAuditRecord(KEY, CONTENT);
    expect(hashAuditRecord(KEY, { ...CONTENT, decision: 'DENY' })).not.toBe(base);
    expect(hashAuditRecord(KEY, { ...CONTENT, sequence: 2 })).not.toBe(base);
    expect(hashAuditRecord(KEY, { ...CONTENT, purpose: null })).not.toBe(base);
    expect(hashAuditRecord(KEY, { ...CONTENT, operationName: '' })).not.toBe(base);
    expect(hashAuditRecord(KEY, { ...CONTENT, prevHash: '1'.repeat(64) })).not.toBe(base);
    expect(hashAuditRecord(KEY, { ...CONTENT, recordPseudonyms: ['ps_AAAAAAAAAAAAAAAAAAAAAA'] })).not.toBe(base);
  });
});
