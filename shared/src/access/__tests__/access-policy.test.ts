import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse } from 'graphql';
import { parseDocument } from 'yaml';
import { STAFF_ROLES } from '../../domain/vocabulary';
import { WORKFLOW_ACTIONS } from '../../domain/actions';
import {
  AccessPolicyError,
  CATEGORIES,
  DEFAULT_ACCESS_POLICY_PATH,
  MASK_STYLES,
  PURPOSES,
  TIERS,
  loadAccessPolicy,
  parseAccessPolicy,
  type AccessPolicy,
} from '../access-policy';

const POLICY_TEXT = readFileSync(DEFAULT_ACCESS_POLICY_PATH, 'utf8');
const SOURCE = 'access-policy.yaml';

const ALLOW_ALL = { in: 'ALLOW', out: 'ALLOW' } as const;
const DENY_ALL = { in: 'DENY', out: 'DENY' } as const;
const DEFAULT_TIERS = { INTERNAL: ALLOW_ALL, CONFIDENTIAL: { in: 'ALLOW', out: 'MASK' }, RESTRICTED: { in: 'MASK', out: 'DENY' } } as const;
const PLAIN = { requiresPurpose: false, pseudonymiseIdentifiers: false, neverReadable: 'null', operations: 'any' } as const;

/** docs/access-model.md section 4, written out independently of the YAML (the read rules; actions are below). */
const SECTION_4_POLICY: Omit<AccessPolicy, 'actions'> = {
  version: '2026.12-6',
  purposes: ['CLAIM_HANDLING', 'COMPLAINT_HANDLING', 'CUSTOMER_SERVICE', 'AUDIT'],
  restrictedClearRequiresPurpose: true,
  // "Aggregates": k = 5; executives and BI analysts read amounts only as statistics, small groups suppressed.
  aggregates: { minimumGroupSize: 5 },
  roles: {
    CUSTOMER_MANAGER: {
      scope: 'OWN',
      tiers: DEFAULT_TIERS,
      categories: { HEALTH: { ...DENY_ALL, scope: null }, CREDIT: { ...DENY_ALL, scope: null } },
      ...PLAIN,
    },
    OPERATOR: { scope: 'BRANCH', tiers: DEFAULT_TIERS, categories: { HEALTH: { ...DENY_ALL, scope: null } }, ...PLAIN },
    HOTLINE_AGENT: {
      scope: 'ALL',
      tiers: { INTERNAL: ALLOW_ALL, CONFIDENTIAL: { in: 'MASK', out: 'MASK' }, RESTRICTED: DENY_ALL },
      categories: { HEALTH: { ...DENY_ALL, scope: null } },
      ...PLAIN,
      neverReadable: 'unknown',
    },
    CLAIMS_ADJUSTER: { scope: 'BRANCH', tiers: DEFAULT_TIERS, categories: { HEALTH: { in: 'ALLOW', out: 'DENY', scope: 'OWN' } }, ...PLAIN },
    COMPLAINT_OFFICER: { scope: 'BRANCH', tiers: DEFAULT_TIERS, categories: { HEALTH: { ...DENY_ALL, scope: null } }, ...PLAIN },
    SERVICE_CENTER_MANAGER: {
      scope: 'BRANCH',
      tiers: { ...DEFAULT_TIERS, RESTRICTED: { in: 'ALLOW', out: 'DENY' } },
      categories: { HEALTH: { in: 'MASK', out: 'DENY', scope: null } },
      ...PLAIN,
    },
    EXECUTIVE: {
      scope: 'BRANCH',
      tiers: { INTERNAL: ALLOW_ALL, CONFIDENTIAL: { in: 'MASK', out: 'MASK' }, RESTRICTED: DENY_ALL },
      categories: { HEALTH: { ...DENY_ALL, scope: null } },
      ...PLAIN,
      aggregates: { minimumGroupSize: 5, extremes: false },
    },
    BI_ANALYST: {
      scope: 'ALL',
      tiers: { INTERNAL: ALLOW_ALL, CONFIDENTIAL: DENY_ALL, RESTRICTED: DENY_ALL },
      categories: { HEALTH: { ...DENY_ALL, scope: null } },
      requiresPurpose: false,
      pseudonymiseIdentifiers: true,
      neverReadable: 'unknown',
      operations: 'any',
      aggregates: { minimumGroupSize: 5, extremes: false },
    },
    AUDITOR: {
      scope: 'ALL',
      tiers: { INTERNAL: ALLOW_ALL, CONFIDENTIAL: ALLOW_ALL, RESTRICTED: ALLOW_ALL },
      categories: {},
      requiresPurpose: true,
      pseudonymiseIdentifiers: false,
      neverReadable: 'null',
      operations: 'any',
    },
  },
};

/** The shipped policy with one edit made through the YAML document model (comments and layout kept). */
function edited(edit: (document: ReturnType<typeof parseDocument>) => void, text = POLICY_TEXT): string {
  const document = parseDocument(text);
  edit(document);
  return document.toString();
}

function problemsOf(text: string): string[] {
  try {
    parseAccessPolicy(text, SOURCE);
  } catch (error) {
    if (error instanceof AccessPolicyError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected the policy to be rejected');
}

describe('the shipped access policy', () => {
  it('loads from the shared package root and equals the matrix of docs/access-model.md section 4', () => {
    expect(DEFAULT_ACCESS_POLICY_PATH).toBe(join(__dirname, '..', '..', '..', 'access-policy.yaml'));
    const { actions: _actions, ...reads } = loadAccessPolicy();
    expect(reads).toEqual(SECTION_4_POLICY);
  });

  it('grants the customer record maintenance actions as docs/access-model.md "Actions" describes', () => {
    const { actions } = loadAccessPolicy();
    const backOffice = { OPERATOR: 'BRANCH', SERVICE_CENTER_MANAGER: 'BRANCH' } as const;
    expect({
      create: actions['customer.create'],
      propose: actions['customer.change.propose'],
      complete: actions['customer.change.complete'],
      approve: actions['customer.change.approve'],
      reject: actions['customer.change.reject'],
      return: actions['customer.change.return'],
      resubmit: actions['customer.change.resubmit'],
      withdraw: actions['customer.change.withdraw'],
    }).toEqual({
      create: { roles: { CUSTOMER_MANAGER: 'OWN', OPERATOR: 'BRANCH' }, secondPerson: null },
      propose: { roles: { CUSTOMER_MANAGER: 'OWN', OPERATOR: 'BRANCH' }, secondPerson: null },
      complete: { roles: backOffice, secondPerson: null },
      approve: { roles: backOffice, secondPerson: 'proposer' },
      reject: { roles: backOffice, secondPerson: null },
      return: { roles: backOffice, secondPerson: null },
      resubmit: { roles: { CUSTOMER_MANAGER: 'OWN', OPERATOR: 'BRANCH' }, secondPerson: null },
      withdraw: { roles: { CUSTOMER_MANAGER: 'OWN', OPERATOR: 'BRANCH' }, secondPerson: null },
    });
  });

  it('rules on every action the code performs, and grants no change of business records to BI analysts or auditors', () => {
    const { actions } = loadAccessPolicy();
    expect(Object.keys(actions).sort()).toEqual([...WORKFLOW_ACTIONS].sort());
    for (const [action, rule] of Object.entries(actions)) {
      // Registering a persisted operation changes no business record: it fixes a query shape BI tools may call by hash.
      if (action === 'operation.register') continue;
      expect(Object.keys(rule.roles)).not.toContain('BI_ANALYST');
      expect(Object.keys(rule.roles)).not.toContain('AUDITOR');
    }
    expect(actions['operation.register']).toEqual({ roles: { BI_ANALYST: 'ALL', AUDITOR: 'ALL' }, secondPerson: null });
  });

  it('is frozen, so no code path can loosen it at run time', () => {
    const policy = loadAccessPolicy();
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.roles.AUDITOR.tiers.RESTRICTED)).toBe(true);
    expect(Object.isFrozen(policy.purposes)).toBe(true);
  });

  it('uses the enums of classification.graphql and the roles of the org', () => {
    const schema = parse(readFileSync(join(__dirname, '..', '..', '..', 'classification.graphql'), 'utf8'));
    const enumValues = (name: string) =>
      schema.definitions.flatMap((definition) =>
        definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === name ? (definition.values ?? []).map((value) => value.name.value) : [],
      );
    expect(enumValues('Tier')).toEqual([...TIERS]);
    expect(enumValues('Category')).toEqual([...CATEGORIES]);
    expect(enumValues('MaskStyle')).toEqual([...MASK_STYLES]);
    expect([...STAFF_ROLES].sort()).toEqual([...STAFF_ROLES].sort());
    expect(PURPOSES).toEqual(['CLAIM_HANDLING', 'COMPLAINT_HANDLING', 'CUSTOMER_SERVICE', 'AUDIT']);
  });
});

describe('policy validation names the bad entry by its path', () => {
  it('rejects an unknown decision', () => {
    const text = edited((document) => document.setIn(['roles', 'HOTLINE_AGENT', 'tiers', 'CONFIDENTIAL', 'in'], 'MAYBE'));
    expect(() => parseAccessPolicy(text, SOURCE)).toThrow(AccessPolicyError);
    expect(problemsOf(text)).toEqual(['access-policy.yaml: roles.HOTLINE_AGENT.tiers.CONFIDENTIAL.in: "MAYBE" is not one of ALLOW, MASK, DENY']);
  });

  it.each<[string, (document: ReturnType<typeof parseDocument>) => void, string]>([
    [
      'an unknown top-level key',
      (document) => document.set('defaults', 'ALLOW'),
      'defaults: unknown key; expected one of version, purposes, restrictedClearRequiresPurpose, roles, actions',
    ],
    [
      'an action the code does not perform',
      (document) => document.setIn(['actions', 'customer.delete'], document.getIn(['actions', 'customer.create'])),
      'actions.customer.delete: unknown action; expected one of customer.create,',
    ],
    [
      'an action granted to an unknown role',
      (document) => document.setIn(['actions', 'customer.create', 'roles', 'INTERN'], 'OWN'),
      'actions.customer.create.roles.INTERN: unknown role; expected one of CUSTOMER_MANAGER,',
    ],
    [
      'an action granted in an unknown scope',
      (document) => document.setIn(['actions', 'customer.create', 'roles', 'OPERATOR'], 'REGION'),
      'actions.customer.create.roles.OPERATOR: "REGION" is not one of OWN, BRANCH, ALL',
    ],
    [
      'an unknown two-person rule',
      (document) => document.setIn(['actions', 'customer.change.approve', 'secondPerson'], 'approver'),
      'actions.customer.change.approve.secondPerson: "approver" is not one of proposer, handler',
    ],
    [
      'an action granted to nobody',
      (document) => document.setIn(['actions', 'customer.create', 'roles'], document.createNode({})),
      'actions.customer.create.roles: grants the action to no role; leave the action out instead',
    ],
    [
      'an action without roles',
      (document) => document.deleteIn(['actions', 'customer.create', 'roles']),
      'actions.customer.create.roles: is missing (a mapping of role to scope: OWN, BRANCH or ALL)',
    ],
    [
      'an unknown operations rule',
      (document) => document.setIn(['roles', 'BI_ANALYST', 'operations'], 'persistedOnly'),
      'roles.BI_ANALYST.operations: "persistedOnly" is not one of any, registeredOnly',
    ],
    [
      'a role restricted to registered operations that may register them',
      (document) => document.setIn(['roles', 'BI_ANALYST', 'operations'], 'registeredOnly'),
      'actions.operation.register.roles.BI_ANALYST: BI_ANALYST may send registered operations only (roles.BI_ANALYST.operations), so it may not register them;',
    ],
    [
      'a suppression threshold that suppresses nothing',
      (document) => document.setIn(['aggregates', 'minimumGroupSize'], 1),
      'aggregates.minimumGroupSize: must be a whole number, 2 or more, got number 1',
    ],
    [
      'an aggregates grant that is neither true nor a mapping',
      (document) => document.setIn(['roles', 'BI_ANALYST', 'aggregates'], 'yes'),
      'roles.BI_ANALYST.aggregates: must be a mapping, got "yes"',
    ],
    [
      'an unknown key in an aggregates grant',
      (document) => document.setIn(['roles', 'BI_ANALYST', 'aggregates'], document.createNode({ k: 3 })),
      'roles.BI_ANALYST.aggregates.k: unknown key; expected one of minimumGroupSize, extremes',
    ],
    [
      'an unknown key in an action',
      (document) => document.setIn(['actions', 'customer.create', 'scope'], 'ALL'),
      'actions.customer.create.scope: unknown key; expected one of roles, secondPerson',
    ],
    [
      'an unknown role',
      (document) => document.setIn(['roles', 'INTERN'], document.getIn(['roles', 'EXECUTIVE'])),
      'roles.INTERN: unknown role; expected one of CUSTOMER_MANAGER,',
    ],
    ['a missing role', (document) => document.deleteIn(['roles', 'AUDITOR']), 'roles.AUDITOR: is missing (every role needs an entry)'],
    [
      'a missing tier',
      (document) => document.deleteIn(['roles', 'OPERATOR', 'tiers', 'RESTRICTED']),
      'roles.OPERATOR.tiers.RESTRICTED: is missing (every tier above PUBLIC needs a rule)',
    ],
    [
      'a PUBLIC entry',
      (document) => document.setIn(['roles', 'BI_ANALYST', 'tiers', 'PUBLIC'], { in: 'DENY', out: 'DENY' }),
      'roles.BI_ANALYST.tiers.PUBLIC: takes no entry: PUBLIC is always ALLOW',
    ],
    [
      'an unknown tier',
      (document) => document.setIn(['roles', 'EXECUTIVE', 'tiers', 'SECRET'], { in: 'DENY', out: 'DENY' }),
      'roles.EXECUTIVE.tiers.SECRET: unknown tier; expected one of INTERNAL, CONFIDENTIAL, RESTRICTED',
    ],
    [
      'an unknown category',
      (document) => document.setIn(['roles', 'OPERATOR', 'categories', 'MEDICAL'], { in: 'DENY', out: 'DENY' }),
      'roles.OPERATOR.categories.MEDICAL: unknown category; expected one of IDENTITY,',
    ],
    [
      'an unknown scope',
      (document) => document.setIn(['roles', 'OPERATOR', 'scope'], 'REGION'),
      'roles.OPERATOR.scope: "REGION" is not one of OWN, BRANCH, ALL',
    ],
    ['a missing scope', (document) => document.deleteIn(['roles', 'OPERATOR', 'scope']), 'roles.OPERATOR.scope: is missing'],
    [
      'an unknown category scope',
      (document) => document.setIn(['roles', 'CLAIMS_ADJUSTER', 'categories', 'HEALTH', 'scope'], 'MINE'),
      'roles.CLAIMS_ADJUSTER.categories.HEALTH.scope: "MINE" is not one of OWN, BRANCH, ALL',
    ],
    [
      'a category widening the scope',
      (document) => document.setIn(['roles', 'CUSTOMER_MANAGER', 'categories', 'HEALTH', 'scope'], 'BRANCH'),
      'roles.CUSTOMER_MANAGER.categories.HEALTH.scope: "BRANCH" is wider than the role\'s scope "OWN"',
    ],
    [
      'an unknown purpose',
      (document) => document.setIn(['purposes', 1], 'CURIOSITY'),
      'purposes[1]: "CURIOSITY" is not one of CLAIM_HANDLING, COMPLAINT_HANDLING, CUSTOMER_SERVICE, AUDIT',
    ],
    ['a duplicate purpose', (document) => document.setIn(['purposes', 1], 'AUDIT'), 'purposes[3]: "AUDIT" is listed twice'],
    ['purposes that are not a list', (document) => document.set('purposes', 'AUDIT'), 'purposes: must be a list of'],
    ['a numeric version', (document) => document.set('version', 2026.11), 'version: must be a string (quote it), got number 2026.11'],
    ['a missing version', (document) => document.delete('version'), 'version: is missing'],
    ['a version with spaces', (document) => document.set('version', 'next week'), 'version: must be a non-empty string without spaces'],
    ['a missing purpose switch', (document) => document.delete('restrictedClearRequiresPurpose'), 'restrictedClearRequiresPurpose: is missing (true or false)'],
    [
      'a non-boolean flag',
      (document) => document.setIn(['roles', 'AUDITOR', 'requiresPurpose'], 'yes'),
      'roles.AUDITOR.requiresPurpose: must be true or false, got "yes"',
    ],
    [
      'an unknown role key',
      (document) => document.setIn(['roles', 'AUDITOR', 'requirePurpose'], true),
      'roles.AUDITOR.requirePurpose: unknown key; expected one of scope, tiers, categories, requiresPurpose, pseudonymiseIdentifiers, neverReadable',
    ],
    [
      'an unknown answer for never-readable fields',
      (document) => document.setIn(['roles', 'HOTLINE_AGENT', 'neverReadable'], 'hidden'),
      'roles.HOTLINE_AGENT.neverReadable: "hidden" is not one of null, unknown',
    ],
    [
      'a boolean answer for never-readable fields',
      (document) => document.setIn(['roles', 'EXECUTIVE', 'neverReadable'], false),
      'roles.EXECUTIVE.neverReadable: boolean false is not one of null, unknown',
    ],
    [
      'an unknown rule key',
      (document) => document.setIn(['roles', 'EXECUTIVE', 'tiers', 'INTERNAL', 'inn'], 'ALLOW'),
      'roles.EXECUTIVE.tiers.INTERNAL.inn: unknown key; expected one of in, out',
    ],
    [
      'a scope on a tier rule',
      (document) => document.setIn(['roles', 'EXECUTIVE', 'tiers', 'INTERNAL', 'scope'], 'OWN'),
      'roles.EXECUTIVE.tiers.INTERNAL.scope: unknown key; expected one of in, out',
    ],
    [
      'a half rule',
      (document) => document.deleteIn(['roles', 'EXECUTIVE', 'tiers', 'INTERNAL', 'out']),
      'roles.EXECUTIVE.tiers.INTERNAL.out: is missing (one of ALLOW, MASK, DENY)',
    ],
    [
      'a rule that is not a mapping',
      (document) => document.setIn(['roles', 'EXECUTIVE', 'tiers', 'INTERNAL'], 'ALLOW'),
      'roles.EXECUTIVE.tiers.INTERNAL: must be a mapping, got "ALLOW"',
    ],
    [
      'out of scope more open than in',
      (document) => document.setIn(['roles', 'OPERATOR', 'tiers', 'RESTRICTED', 'out'], 'ALLOW'),
      'roles.OPERATOR.tiers.RESTRICTED.out: ALLOW is more open than in (MASK)',
    ],
    [
      'a higher tier more open than a lower one',
      (document) => document.setIn(['roles', 'EXECUTIVE', 'tiers', 'RESTRICTED', 'in'], 'ALLOW'),
      'roles.EXECUTIVE.tiers.RESTRICTED.in: ALLOW is more open than CONFIDENTIAL.in (MASK)',
    ],
  ])('rejects %s', (_case, edit, expected) => {
    const problems = problemsOf(edited(edit));
    expect(problems.some((problem) => problem.startsWith(`${SOURCE}: ${expected}`))).toBe(true);
  });

  it('rejects a category rule whose out is more open than its in', () => {
    const text = edited((document) => document.setIn(['roles', 'OPERATOR', 'categories', 'HEALTH', 'out'], 'MASK'));
    expect(problemsOf(text)).toEqual([
      'access-policy.yaml: roles.OPERATOR.categories.HEALTH.out: MASK is more open than in (DENY); out of scope may not be more open than in scope',
    ]);
  });

  it('reports every problem at once', () => {
    const text = edited((document) => {
      document.setIn(['roles', 'HOTLINE_AGENT', 'scope'], 'EVERYWHERE');
      document.setIn(['roles', 'HOTLINE_AGENT', 'categories'], { HEALTH: { in: 'NOPE', out: 'DENY' } });
      document.deleteIn(['roles', 'BI_ANALYST']);
    });
    expect(problemsOf(text)).toEqual([
      'access-policy.yaml: roles.HOTLINE_AGENT.scope: "EVERYWHERE" is not one of OWN, BRANCH, ALL',
      'access-policy.yaml: roles.HOTLINE_AGENT.categories.HEALTH.in: "NOPE" is not one of ALLOW, MASK, DENY',
      'access-policy.yaml: roles.BI_ANALYST: is missing (every role needs an entry)',
    ]);
  });

  it('rejects YAML syntax errors, duplicate keys and documents that are not a mapping', () => {
    expect(problemsOf('version: "1"\nversion: "2"\n')[0]).toMatch(/^access-policy\.yaml: invalid YAML: Map keys must be unique/);
    expect(problemsOf('roles: {CUSTOMER_MANAGER: [}\n')[0]).toMatch(/^access-policy\.yaml: invalid YAML: /);
    expect(problemsOf(`${POLICY_TEXT}\n---\nversion: "2"\n`)[0]).toMatch(/^access-policy\.yaml: invalid YAML: /);
    expect(problemsOf('')).toEqual(['access-policy.yaml: (document): must be a mapping, got null']);
    expect(problemsOf('- ALLOW\n')).toEqual(['access-policy.yaml: (document): must be a mapping, got a list']);
  });

  it('accepts a stricter policy and keeps omitted flags and categories at their defaults', () => {
    const text = edited((document) => {
      document.set('purposes', ['AUDIT']);
      document.deleteIn(['roles', 'OPERATOR', 'categories']);
    });
    const policy = parseAccessPolicy(text, SOURCE);
    expect(policy.purposes).toEqual(['AUDIT']);
    expect(policy.roles.OPERATOR.categories).toEqual({});
    expect(policy.roles.OPERATOR.requiresPurpose).toBe(false);
  });

  it('answers never-readable fields with null unless the role says unknown, whether the key is absent, null or "null"', () => {
    const text = edited((document) => {
      document.deleteIn(['roles', 'BI_ANALYST', 'neverReadable']);
      document.setIn(['roles', 'EXECUTIVE', 'neverReadable'], null);
      document.setIn(['roles', 'OPERATOR', 'neverReadable'], 'null');
      document.setIn(['roles', 'AUDITOR', 'neverReadable'], 'unknown');
    });
    const policy = parseAccessPolicy(text, SOURCE);
    expect(policy.roles.BI_ANALYST.neverReadable).toBe('null');
    expect(policy.roles.EXECUTIVE.neverReadable).toBe('null');
    expect(policy.roles.OPERATOR.neverReadable).toBe('null');
    expect(policy.roles.AUDITOR.neverReadable).toBe('unknown');
  });

  it('refuses every action when the file has no actions section (deny by default)', () => {
    const policy = parseAccessPolicy(
      edited((document) => document.delete('actions')),
      SOURCE,
    );
    expect(policy.actions).toEqual({});
  });

  it('names the file it could not read', () => {
    const missing = join(__dirname, 'no-such-policy.yaml');
    expect(() => loadAccessPolicy(missing)).toThrow(AccessPolicyError);
    expect(() => loadAccessPolicy(missing)).toThrow(`${missing}: cannot be read`);
  });
});
