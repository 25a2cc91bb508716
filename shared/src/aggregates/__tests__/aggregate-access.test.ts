import { decide, loadAccessPolicy, parseAccessPolicy, type Caller, type FieldClassification, type Role } from '../../access';
import { DEFAULT_ACCESS_POLICY_PATH } from '../../access/access-policy';
import { readFileSync } from 'node:fs';
import { suppressSmallGroups, type SuppressionCell } from '../suppression';

const policy = loadAccessPolicy();
const caller = (role: Role, purpose: Caller['purpose'] = null): Caller => ({ staffId: '7', role, branchPath: '/1/3/', grade: null, purpose });
const PREMIUMS: FieldClassification = { tier: 'CONFIDENTIAL', category: 'FINANCIAL', mask: null, aggregate: true };
const CAUSES: FieldClassification = { tier: 'INTERNAL', category: 'HEALTH', mask: null, aggregate: true };

describe('deciding an aggregate field (docs/access-model.md, "Aggregates")', () => {
  it('gives exact groups over the in-scope rows to a role that may read the values in scope', () => {
    expect(decide(policy, caller('OPERATOR'), PREMIUMS, undefined)).toMatchObject({ decision: 'ALLOW', aggregate: { mode: 'EXACT', scope: 'BRANCH' } });
    expect(decide(policy, caller('CUSTOMER_MANAGER'), PREMIUMS, undefined)).toMatchObject({ decision: 'ALLOW', aggregate: { mode: 'EXACT', scope: 'OWN' } });
    expect(decide(policy, caller('AUDITOR', 'AUDIT'), PREMIUMS, undefined)).toMatchObject({ aggregate: { mode: 'EXACT', scope: 'ALL' } });
    // The adjuster's health exception is on the claims they handle: exact over those only.
    expect(decide(policy, caller('CLAIMS_ADJUSTER', 'CLAIM_HANDLING'), CAUSES, undefined)).toMatchObject({ aggregate: { mode: 'EXACT', scope: 'OWN' } });
  });

  it('suppresses small groups for a role denied the values but granted aggregates, in its own scope', () => {
    expect(decide(policy, caller('BI_ANALYST'), PREMIUMS, undefined)).toMatchObject({
      decision: 'ALLOW',
      rule: 'BI_ANALYST/aggregates:k=5',
      aggregate: { mode: 'SUPPRESSED', scope: 'ALL', minimumGroupSize: 5, extremes: false },
    });
    expect(decide(policy, caller('EXECUTIVE'), PREMIUMS, undefined)).toMatchObject({ aggregate: { mode: 'SUPPRESSED', scope: 'BRANCH' } });
    expect(decide(policy, caller('BI_ANALYST'), CAUSES, undefined)).toMatchObject({ aggregate: { mode: 'SUPPRESSED' } });
  });

  it('denies a role granted neither, so the gateway removes the field for it', () => {
    for (const role of ['HOTLINE_AGENT', 'COMPLAINT_OFFICER'] as const) {
      const verdict = decide(policy, caller(role), role === 'HOTLINE_AGENT' ? PREMIUMS : CAUSES, undefined);
      expect(verdict.decision).toBe('DENY');
      expect(verdict.rule).toMatch(/;aggregate:not-granted$/);
    }
    // The auditor without a purpose may not read premiums in clear, and is granted no aggregates.
    expect(decide(policy, caller('AUDITOR'), PREMIUMS, undefined).decision).toBe('DENY');
  });

  it('takes a role’s own k and extremes from the policy file', () => {
    const text = readFileSync(DEFAULT_ACCESS_POLICY_PATH, 'utf8').replace(
      /(\n {2}BI_ANALYST:\n {4}aggregates:) true/,
      '$1 { minimumGroupSize: 10, extremes: true }',
    );
    const custom = parseAccessPolicy(text, 'custom');
    expect(decide(custom, caller('BI_ANALYST'), PREMIUMS, undefined).aggregate).toEqual({
      mode: 'SUPPRESSED',
      scope: 'ALL',
      minimumGroupSize: 10,
      extremes: true,
    });
  });
});

describe('small-group suppression', () => {
  const cells = (...counts: [string, string, number][]): SuppressionCell[] => counts.map(([a, b, count]) => ({ values: [a, b], count, suppressed: false }));
  const hidden = (grid: SuppressionCell[]) => grid.filter((cell) => cell.suppressed).map((cell) => cell.values.join('/'));

  it('hides groups under k and, in every line, enough others that no hidden group is one subtraction away', () => {
    const grid = cells(['A', 'x', 4], ['A', 'y', 9], ['A', 'z', 6], ['B', 'x', 8], ['B', 'y', 7], ['B', 'z', 12]);
    suppressSmallGroups(grid, 5, () => '');
    // A/x is small; A/z (the smallest in row A) joins it; column x then needs B/x and column z B/z.
    expect(hidden(grid).sort()).toEqual(['A/x', 'A/z', 'B/x', 'B/z']);
  });

  it('leaves a line alone whose small groups already hold k records between them', () => {
    const grid = cells(['A', 'x', 3], ['A', 'y', 2], ['A', 'z', 50]);
    suppressSmallGroups(grid, 5, (dimension) => (dimension === 1 ? 'one line' : 'per value'));
    expect(hidden(grid).sort()).toEqual(['A/x', 'A/y']);
  });

  it('hides a group of k or more only to protect another, never for itself', () => {
    const grid = cells(['A', 'x', 5], ['A', 'y', 5]);
    suppressSmallGroups(grid, 5, () => '');
    expect(hidden(grid)).toEqual([]);
  });
});
