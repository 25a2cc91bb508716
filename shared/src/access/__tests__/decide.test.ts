import { parseDocument } from 'yaml';
import { readFileSync } from 'node:fs';
import type { RowScope } from '../../row-scope';
import { STAFF_ROLES } from '../../domain/vocabulary';
import {
  DEFAULT_ACCESS_POLICY_PATH,
  loadAccessPolicy,
  parseAccessPolicy,
  type Category,
  type Decision,
  type FieldClassification,
  type Purpose,
  type Role,
  type RuledTier,
  type Scope,
  type Tier,
} from '../access-policy';
import { UNCLASSIFIED, decide, deniedInEveryScope, isInScope, sealsIdentifiers, type Caller } from '../decide';

const policy = loadAccessPolicy();

const CALLER_BRANCH = '/1/2/';
/** Handled by the caller, in the caller's city branch. */
const OWN_RECORD: RowScope = { branchPath: '/1/2/6/', responsibleStaffIds: ['7'] };
/** In the caller's branch subtree, handled by a colleague. */
const BRANCH_RECORD: RowScope = { branchPath: '/1/2/5/', responsibleStaffIds: ['8'] };
/** Another province, handled by someone else. */
const FOREIGN_RECORD: RowScope = { branchPath: '/1/3/9/', responsibleStaffIds: ['9'] };

function caller(role: Role, purpose: Purpose | null = 'AUDIT', overrides: Partial<Caller> = {}): Caller {
  return { staffId: '7', role, branchPath: CALLER_BRANCH, grade: null, purpose, ...overrides };
}

function field(tier: Tier, category: Category = 'GENERAL', mask: FieldClassification['mask'] = 'NAME'): FieldClassification {
  return { tier, category, mask };
}

/** A record in the role's scope and one outside it; for ALL, only a record of unknown owner is outside. */
function recordsFor(scope: Scope): { inside: RowScope; outside: RowScope | undefined } {
  if (scope === 'OWN') return { inside: OWN_RECORD, outside: BRANCH_RECORD };
  if (scope === 'BRANCH') return { inside: BRANCH_RECORD, outside: FOREIGN_RECORD };
  return { inside: FOREIGN_RECORD, outside: undefined };
}

type InOut = `${Decision}/${Decision}`;
/** docs/access-model.md section 4, in / out per tier, transcribed from the table (not from the YAML). */
const MATRIX: Record<Role, { scope: Scope } & Record<RuledTier, InOut>> = {
  CUSTOMER_MANAGER: { scope: 'OWN', INTERNAL: 'ALLOW/ALLOW', CONFIDENTIAL: 'ALLOW/MASK', RESTRICTED: 'MASK/DENY' },
  OPERATOR: { scope: 'BRANCH', INTERNAL: 'ALLOW/ALLOW', CONFIDENTIAL: 'ALLOW/MASK', RESTRICTED: 'MASK/DENY' },
  HOTLINE_AGENT: { scope: 'ALL', INTERNAL: 'ALLOW/ALLOW', CONFIDENTIAL: 'MASK/MASK', RESTRICTED: 'DENY/DENY' },
  CLAIMS_ADJUSTER: { scope: 'BRANCH', INTERNAL: 'ALLOW/ALLOW', CONFIDENTIAL: 'ALLOW/MASK', RESTRICTED: 'MASK/DENY' },
  COMPLAINT_OFFICER: { scope: 'BRANCH', INTERNAL: 'ALLOW/ALLOW', CONFIDENTIAL: 'ALLOW/MASK', RESTRICTED: 'MASK/DENY' },
  SERVICE_CENTER_MANAGER: { scope: 'BRANCH', INTERNAL: 'ALLOW/ALLOW', CONFIDENTIAL: 'ALLOW/MASK', RESTRICTED: 'ALLOW/DENY' },
  EXECUTIVE: { scope: 'BRANCH', INTERNAL: 'ALLOW/ALLOW', CONFIDENTIAL: 'MASK/MASK', RESTRICTED: 'DENY/DENY' },
  BI_ANALYST: { scope: 'ALL', INTERNAL: 'ALLOW/ALLOW', CONFIDENTIAL: 'DENY/DENY', RESTRICTED: 'DENY/DENY' },
  AUDITOR: { scope: 'ALL', INTERNAL: 'ALLOW/ALLOW', CONFIDENTIAL: 'ALLOW/ALLOW', RESTRICTED: 'ALLOW/ALLOW' },
};

const MATRIX_CASES = STAFF_ROLES.flatMap((role) =>
  (['INTERNAL', 'CONFIDENTIAL', 'RESTRICTED'] as const).flatMap((tier) => {
    const [inside, outside] = MATRIX[role][tier].split('/') as [Decision, Decision];
    return [
      { role, tier, side: 'in' as const, expected: inside },
      { role, tier, side: 'out' as const, expected: outside },
    ];
  }),
);

describe('decide: the section-4 matrix with a purpose stated', () => {
  it('covers every role, tier and side', () => {
    expect(MATRIX_CASES).toHaveLength(9 * 3 * 2);
    for (const role of STAFF_ROLES) expect(policy.roles[role].scope).toBe(MATRIX[role].scope);
  });

  it.each(MATRIX_CASES)('$role × $tier ($side of scope) → $expected', ({ role, tier, side, expected }) => {
    const { inside, outside } = recordsFor(MATRIX[role].scope);
    const result = decide(policy, caller(role), field(tier), side === 'in' ? inside : outside);
    expect(result).toEqual({ decision: expected, inScope: side === 'in', rule: `${role}/${tier}/${side}`, pseudonymise: false });
  });

  it.each(STAFF_ROLES)('PUBLIC is ALLOW for %s in every scope, without a purpose', (role) => {
    for (const record of [OWN_RECORD, FOREIGN_RECORD, undefined]) {
      const result = decide(policy, caller(role, null), field('PUBLIC', 'IDENTITY', null), record);
      expect(result.decision).toBe('ALLOW');
      expect(result.rule).toBe('PUBLIC');
      expect(result.pseudonymise).toBe(false);
    }
  });
});

describe('decide: category exceptions', () => {
  it.each<[Role, Category, Tier, RowScope | undefined, Decision, string]>([
    ['CUSTOMER_MANAGER', 'HEALTH', 'RESTRICTED', OWN_RECORD, 'DENY', 'CUSTOMER_MANAGER/HEALTH/in'],
    ['CUSTOMER_MANAGER', 'HEALTH', 'CONFIDENTIAL', OWN_RECORD, 'DENY', 'CUSTOMER_MANAGER/HEALTH/in'],
    ['CUSTOMER_MANAGER', 'HEALTH', 'INTERNAL', OWN_RECORD, 'DENY', 'CUSTOMER_MANAGER/HEALTH/in'],
    ['CUSTOMER_MANAGER', 'CREDIT', 'RESTRICTED', OWN_RECORD, 'DENY', 'CUSTOMER_MANAGER/CREDIT/in'],
    ['CUSTOMER_MANAGER', 'CREDIT', 'RESTRICTED', BRANCH_RECORD, 'DENY', 'CUSTOMER_MANAGER/CREDIT/out'],
    ['CUSTOMER_MANAGER', 'FINANCIAL', 'RESTRICTED', OWN_RECORD, 'MASK', 'CUSTOMER_MANAGER/RESTRICTED/in'],
    ['OPERATOR', 'HEALTH', 'RESTRICTED', BRANCH_RECORD, 'DENY', 'OPERATOR/HEALTH/in'],
    ['OPERATOR', 'CREDIT', 'RESTRICTED', BRANCH_RECORD, 'MASK', 'OPERATOR/RESTRICTED/in'],
    ['COMPLAINT_OFFICER', 'HEALTH', 'RESTRICTED', BRANCH_RECORD, 'DENY', 'COMPLAINT_OFFICER/HEALTH/in'],
    ['SERVICE_CENTER_MANAGER', 'HEALTH', 'RESTRICTED', BRANCH_RECORD, 'MASK', 'SERVICE_CENTER_MANAGER/HEALTH/in'],
    ['SERVICE_CENTER_MANAGER', 'HEALTH', 'RESTRICTED', FOREIGN_RECORD, 'DENY', 'SERVICE_CENTER_MANAGER/HEALTH/out'],
    ['SERVICE_CENTER_MANAGER', 'CREDIT', 'RESTRICTED', BRANCH_RECORD, 'ALLOW', 'SERVICE_CENTER_MANAGER/RESTRICTED/in'],
    ['HOTLINE_AGENT', 'HEALTH', 'RESTRICTED', FOREIGN_RECORD, 'DENY', 'HOTLINE_AGENT/HEALTH/in'],
    // A cause of ILLNESS is INTERNAL/HEALTH: the HEALTH exception denies it where the tier alone would not.
    ['HOTLINE_AGENT', 'HEALTH', 'INTERNAL', FOREIGN_RECORD, 'DENY', 'HOTLINE_AGENT/HEALTH/in'],
    ['EXECUTIVE', 'HEALTH', 'INTERNAL', BRANCH_RECORD, 'DENY', 'EXECUTIVE/HEALTH/in'],
    ['BI_ANALYST', 'HEALTH', 'INTERNAL', FOREIGN_RECORD, 'DENY', 'BI_ANALYST/HEALTH/in'],
    ['AUDITOR', 'HEALTH', 'RESTRICTED', FOREIGN_RECORD, 'ALLOW', 'AUDITOR/RESTRICTED/in'],
  ])('%s × %s/%s → %s', (role, category, tier, record, expected, rule) => {
    const result = decide(policy, caller(role), field(tier, category), record);
    expect(result.decision).toBe(expected);
    expect(result.rule).toBe(rule);
  });

  it('lets a claims adjuster read health details only on the claims they handle', () => {
    const health = field('RESTRICTED', 'HEALTH');
    expect(decide(policy, caller('CLAIMS_ADJUSTER'), health, OWN_RECORD)).toEqual({
      decision: 'ALLOW',
      inScope: true,
      rule: 'CLAIMS_ADJUSTER/HEALTH/in',
      pseudonymise: false,
    });
    // A colleague's claim in the same branch: in the role's BRANCH scope, but not in the category's OWN scope.
    expect(decide(policy, caller('CLAIMS_ADJUSTER'), health, BRANCH_RECORD)).toEqual({
      decision: 'DENY',
      inScope: false,
      rule: 'CLAIMS_ADJUSTER/HEALTH/out',
      pseudonymise: false,
    });
    expect(decide(policy, caller('CLAIMS_ADJUSTER'), health, FOREIGN_RECORD).decision).toBe('DENY');
    // Other categories of the same claim still follow the role's BRANCH scope.
    expect(decide(policy, caller('CLAIMS_ADJUSTER'), field('RESTRICTED', 'FINANCIAL'), BRANCH_RECORD)).toMatchObject({ decision: 'MASK', inScope: true });
  });
});

describe('decide: purpose and mask-style fallbacks', () => {
  it('turns clear RESTRICTED values into MASK without a purpose', () => {
    expect(decide(policy, caller('SERVICE_CENTER_MANAGER', null), field('RESTRICTED'), BRANCH_RECORD)).toEqual({
      decision: 'MASK',
      inScope: true,
      rule: 'SERVICE_CENTER_MANAGER/RESTRICTED/in;no-purpose',
      pseudonymise: false,
    });
    expect(decide(policy, caller('CLAIMS_ADJUSTER', null), field('RESTRICTED', 'HEALTH'), OWN_RECORD).rule).toBe('CLAIMS_ADJUSTER/HEALTH/in;no-purpose');
    // CONFIDENTIAL needs no purpose for ordinary roles.
    expect(decide(policy, caller('CUSTOMER_MANAGER', null), field('CONFIDENTIAL'), OWN_RECORD).decision).toBe('ALLOW');
  });

  it('turns an auditor’s ALLOW above INTERNAL into MASK without a purpose', () => {
    const auditor = caller('AUDITOR', null);
    expect(decide(policy, auditor, field('INTERNAL'), FOREIGN_RECORD).decision).toBe('ALLOW');
    expect(decide(policy, auditor, field('CONFIDENTIAL'), FOREIGN_RECORD)).toMatchObject({ decision: 'MASK', rule: 'AUDITOR/CONFIDENTIAL/in;no-purpose' });
    expect(decide(policy, auditor, field('RESTRICTED'), FOREIGN_RECORD).decision).toBe('MASK');
    expect(decide(policy, auditor, field('RESTRICTED', 'GENERAL', null), FOREIGN_RECORD)).toMatchObject({
      decision: 'DENY',
      rule: 'AUDITOR/RESTRICTED/in;no-purpose;no-mask-style',
    });
    for (const purpose of ['CLAIM_HANDLING', 'COMPLAINT_HANDLING', 'CUSTOMER_SERVICE', 'AUDIT'] as const) {
      expect(decide(policy, caller('AUDITOR', purpose), field('RESTRICTED', 'GENERAL', null), FOREIGN_RECORD).decision).toBe('ALLOW');
    }
  });

  it('counts only the purposes the policy lists', () => {
    const auditOnly = parseAccessPolicy(
      editPolicy((document) => document.set('purposes', ['AUDIT'])),
      'audit-only.yaml',
    );
    expect(decide(auditOnly, caller('AUDITOR', 'CLAIM_HANDLING'), field('RESTRICTED'), FOREIGN_RECORD).decision).toBe('MASK');
    expect(decide(auditOnly, caller('AUDITOR', 'AUDIT'), field('RESTRICTED'), FOREIGN_RECORD).decision).toBe('ALLOW');
  });

  it('follows restrictedClearRequiresPurpose: false', () => {
    const noPurposeRule = parseAccessPolicy(
      editPolicy((document) => document.set('restrictedClearRequiresPurpose', false)),
      'lenient.yaml',
    );
    expect(decide(noPurposeRule, caller('SERVICE_CENTER_MANAGER', null), field('RESTRICTED'), BRANCH_RECORD).decision).toBe('ALLOW');
    // The auditor's own requirement still holds.
    expect(decide(noPurposeRule, caller('AUDITOR', null), field('RESTRICTED'), FOREIGN_RECORD).decision).toBe('MASK');
  });

  it('renders MASK as DENY on a field without a mask style', () => {
    expect(decide(policy, caller('CUSTOMER_MANAGER'), field('CONFIDENTIAL', 'GENERAL', null), BRANCH_RECORD)).toEqual({
      decision: 'DENY',
      inScope: false,
      rule: 'CUSTOMER_MANAGER/CONFIDENTIAL/out;no-mask-style',
      pseudonymise: false,
    });
    expect(decide(policy, caller('HOTLINE_AGENT'), field('CONFIDENTIAL', 'CONTACT', 'MOBILE'), FOREIGN_RECORD).decision).toBe('MASK');
  });

  it('treats unclassified fields as RESTRICTED and unmaskable', () => {
    expect(UNCLASSIFIED).toEqual({ tier: 'RESTRICTED', category: 'GENERAL', mask: null });
    expect(Object.isFrozen(UNCLASSIFIED)).toBe(true);
    expect(decide(policy, caller('CUSTOMER_MANAGER'), UNCLASSIFIED, OWN_RECORD).decision).toBe('DENY');
    expect(decide(policy, caller('SERVICE_CENTER_MANAGER', null), UNCLASSIFIED, BRANCH_RECORD).decision).toBe('DENY');
    expect(decide(policy, caller('SERVICE_CENTER_MANAGER'), UNCLASSIFIED, BRANCH_RECORD).decision).toBe('ALLOW');
  });
});

describe('decide: pseudonymised identifiers and unknown inputs', () => {
  it('asks for pseudonyms of IDENTITY values a BI analyst may read', () => {
    expect(decide(policy, caller('BI_ANALYST', null), field('INTERNAL', 'IDENTITY', null), FOREIGN_RECORD)).toEqual({
      decision: 'ALLOW',
      inScope: true,
      rule: 'BI_ANALYST/INTERNAL/in',
      pseudonymise: true,
    });
    expect(decide(policy, caller('BI_ANALYST', null), field('INTERNAL', 'GENERAL'), FOREIGN_RECORD).pseudonymise).toBe(false);
    expect(decide(policy, caller('BI_ANALYST', null), field('CONFIDENTIAL', 'IDENTITY'), FOREIGN_RECORD)).toMatchObject({
      decision: 'DENY',
      pseudonymise: false,
    });
    expect(decide(policy, caller('CUSTOMER_MANAGER'), field('INTERNAL', 'IDENTITY'), OWN_RECORD).pseudonymise).toBe(false);
  });

  it('seals the identifiers of the roles whose policy pseudonymises them, and of no role it does not know', () => {
    expect(STAFF_ROLES.filter((role) => sealsIdentifiers(policy, role))).toEqual(['BI_ANALYST']);
    expect(sealsIdentifiers(policy, 'JANITOR')).toBe(false);
    expect(sealsIdentifiers(policy, '__proto__')).toBe(false);
  });

  it('denies roles, tiers and categories the policy does not know', () => {
    const stranger = { ...caller('AUDITOR'), role: 'JANITOR' as Role };
    expect(decide(policy, stranger, field('PUBLIC'), FOREIGN_RECORD)).toEqual({
      decision: 'DENY',
      inScope: false,
      rule: 'JANITOR/unknown-role',
      pseudonymise: false,
    });
    expect(decide(policy, { ...caller('AUDITOR'), role: '__proto__' as Role }, field('INTERNAL'), FOREIGN_RECORD).decision).toBe('DENY');
    expect(deniedInEveryScope(policy, 'JANITOR' as Role, field('PUBLIC'), 'AUDIT')).toBe(true);
    expect(decide(policy, caller('AUDITOR'), field('SECRET' as Tier), FOREIGN_RECORD)).toMatchObject({
      decision: 'DENY',
      rule: 'AUDITOR/unknown-classification',
    });
    expect(decide(policy, caller('AUDITOR'), field('INTERNAL', 'GOSSIP' as Category), FOREIGN_RECORD).decision).toBe('DENY');
  });
});

describe('deniedInEveryScope', () => {
  it.each<[Role, FieldClassification, Purpose | null, boolean]>([
    ['HOTLINE_AGENT', field('RESTRICTED'), 'CUSTOMER_SERVICE', true],
    ['BI_ANALYST', field('CONFIDENTIAL'), 'AUDIT', true],
    ['BI_ANALYST', field('INTERNAL', 'IDENTITY'), null, false],
    ['CUSTOMER_MANAGER', field('RESTRICTED', 'HEALTH'), 'CLAIM_HANDLING', true],
    ['CUSTOMER_MANAGER', field('CONFIDENTIAL'), 'CUSTOMER_SERVICE', false],
    ['CUSTOMER_MANAGER', field('CONFIDENTIAL'), null, false],
    // MASK without a mask style is DENY, so an unmaskable field is never readable out of scope either.
    ['EXECUTIVE', field('CONFIDENTIAL', 'GENERAL', null), null, true],
    ['EXECUTIVE', field('CONFIDENTIAL', 'CONTACT', 'MOBILE'), null, false],
    ['CLAIMS_ADJUSTER', field('RESTRICTED', 'HEALTH', null), 'CLAIM_HANDLING', false],
    ['CLAIMS_ADJUSTER', field('RESTRICTED', 'HEALTH', null), null, true],
    ['AUDITOR', field('RESTRICTED', 'GENERAL', null), null, true],
    ['AUDITOR', field('RESTRICTED', 'GENERAL', null), 'AUDIT', false],
    ['HOTLINE_AGENT', field('PUBLIC'), null, false],
  ])('%s × %o with purpose %s → %s', (role, classification, purpose, expected) => {
    expect(deniedInEveryScope(policy, role, classification, purpose)).toBe(expected);
  });
});

describe('row scope', () => {
  const staff = { staffId: '7', branchPath: '/1/2/' };

  it('BRANCH matches the branch and everything below it, by whole path segments', () => {
    expect(isInScope('BRANCH', staff, { branchPath: '/1/2/', responsibleStaffIds: [] })).toBe(true);
    expect(isInScope('BRANCH', staff, { branchPath: '/1/2/6/', responsibleStaffIds: [] })).toBe(true);
    expect(isInScope('BRANCH', staff, { branchPath: '/1/23/', responsibleStaffIds: [] })).toBe(false);
    expect(isInScope('BRANCH', staff, { branchPath: '/1/', responsibleStaffIds: [] })).toBe(false);
    expect(isInScope('BRANCH', staff, { branchPath: '/1/3/9/', responsibleStaffIds: ['7'] })).toBe(false);
    expect(isInScope('BRANCH', { staffId: '1', branchPath: '/1/' }, { branchPath: '/1/3/9/', responsibleStaffIds: [] })).toBe(true);
  });

  it('BRANCH refuses incomplete paths rather than over-matching', () => {
    expect(isInScope('BRANCH', { staffId: '7', branchPath: '/1/2' }, { branchPath: '/1/23/', responsibleStaffIds: [] })).toBe(false);
    expect(isInScope('BRANCH', { staffId: '7', branchPath: '' }, { branchPath: '/1/2/', responsibleStaffIds: [] })).toBe(false);
    expect(isInScope('BRANCH', { staffId: '7', branchPath: '/' }, { branchPath: '/1/2/', responsibleStaffIds: [] })).toBe(false);
    expect(isInScope('BRANCH', staff, { branchPath: '', responsibleStaffIds: [] })).toBe(false);
  });

  it('OWN matches the responsible staff only', () => {
    expect(isInScope('OWN', staff, { branchPath: '/1/3/9/', responsibleStaffIds: ['3', '7'] })).toBe(true);
    expect(isInScope('OWN', staff, { branchPath: '/1/2/', responsibleStaffIds: ['70', '17'] })).toBe(false);
    expect(isInScope('OWN', { staffId: '', branchPath: '/1/2/' }, { branchPath: '/1/2/', responsibleStaffIds: [''] })).toBe(false);
  });

  it('ALL matches every record; a missing row scope is out of scope for every scope', () => {
    expect(isInScope('ALL', staff, { branchPath: '/1/3/9/', responsibleStaffIds: [] })).toBe(true);
    for (const scope of ['OWN', 'BRANCH', 'ALL'] as const) expect(isInScope(scope, staff, undefined)).toBe(false);
  });

  it('feeds decide: a sibling branch with a longer id is out of scope', () => {
    const operator = caller('OPERATOR', null);
    expect(decide(policy, operator, field('CONFIDENTIAL'), { branchPath: '/1/23/', responsibleStaffIds: ['7'] })).toMatchObject({
      decision: 'MASK',
      inScope: false,
    });
    expect(decide(policy, operator, field('CONFIDENTIAL'), { branchPath: '/1/2/4/', responsibleStaffIds: [] })).toMatchObject({
      decision: 'ALLOW',
      inScope: true,
    });
    expect(decide(policy, operator, field('CONFIDENTIAL'), undefined)).toMatchObject({ decision: 'MASK', inScope: false });
    expect(decide(policy, caller('CUSTOMER_MANAGER'), field('RESTRICTED'), undefined)).toMatchObject({ decision: 'DENY', inScope: false });
  });
});

function editPolicy(edit: (document: ReturnType<typeof parseDocument>) => void): string {
  const document = parseDocument(readFileSync(DEFAULT_ACCESS_POLICY_PATH, 'utf8'));
  edit(document);
  return document.toString();
}
