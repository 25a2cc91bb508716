import { ConfigError } from '@icg/shared';
import { approvalAuthority, branchLevelOfPath, DEFAULT_CLAIM_APPROVAL_LIMITS, parseApprovalLimits, readApprovalLimits } from '../approval-authority';

describe('claim approval authority', () => {
  const limits = parseApprovalLimits(DEFAULT_CLAIM_APPROVAL_LIMITS);
  const cityAdjuster = { role: 'CLAIMS_ADJUSTER', branchPath: '/1/2/6/' } as const;
  const provinceAdjuster = { role: 'CLAIMS_ADJUSTER', branchPath: '/1/2/' } as const;

  it('tells the level of a branch from its path', () => {
    expect([branchLevelOfPath('/1/'), branchLevelOfPath('/1/2/'), branchLevelOfPath('/1/2/6/'), branchLevelOfPath('/')]).toEqual([
      'HEAD_OFFICE',
      'PROVINCE',
      'CITY',
      null,
    ]);
  });

  it('lets a city adjuster approve up to 50,000 yuan and no more', () => {
    expect(approvalAuthority(limits, cityAdjuster, 50_000)).toEqual({ allowed: true });
    expect(approvalAuthority(limits, cityAdjuster, 50_000.01)).toEqual({ allowed: false, limit: 50_000, level: 'CITY' });
  });

  it('gives a provincial adjuster more authority, and head office none above it', () => {
    expect(approvalAuthority(limits, provinceAdjuster, 480_000)).toEqual({ allowed: true });
    expect(approvalAuthority(limits, { role: 'CLAIMS_ADJUSTER', branchPath: '/1/' }, 90_000_000)).toEqual({ allowed: true });
  });

  it('gives a role without an entry no authority at all', () => {
    expect(approvalAuthority(limits, { role: 'SERVICE_CENTER_MANAGER', branchPath: '/1/2/6/' }, 1)).toEqual({ allowed: false, limit: 0, level: 'CITY' });
  });

  it('reads CLAIM_APPROVAL_LIMITS and names a bad entry', () => {
    const custom = readApprovalLimits({ CLAIM_APPROVAL_LIMITS: 'CLAIMS_ADJUSTER@CITY=1000.50; SERVICE_CENTER_MANAGER@PROVINCE=unlimited' });
    expect(approvalAuthority(custom, cityAdjuster, 1_000.5)).toEqual({ allowed: true });
    expect(approvalAuthority(custom, cityAdjuster, 1_000.51).allowed).toBe(false);
    expect(approvalAuthority(custom, provinceAdjuster, 1).allowed).toBe(false);
    expect(() => readApprovalLimits({ CLAIM_APPROVAL_LIMITS: 'CLAIMS_ADJUSTER@TOWN=5' })).toThrow(/CLAIM_APPROVAL_LIMITS names "TOWN"/);
    expect(() => readApprovalLimits({ CLAIM_APPROVAL_LIMITS: 'ADJUSTER@CITY=5' })).toThrow(ConfigError);
    expect(() => readApprovalLimits({ CLAIM_APPROVAL_LIMITS: 'CLAIMS_ADJUSTER@CITY=5;CLAIMS_ADJUSTER@CITY=6' })).toThrow(/twice/);
    expect(() => readApprovalLimits({ CLAIM_APPROVAL_LIMITS: 'CLAIMS_ADJUSTER@CITY=5.123' })).toThrow(/malformed entry/);
  });
});
