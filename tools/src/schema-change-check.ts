/**
 * The schema-change check of `npm run compose -- --check`: what a freshly composed supergraph changes for
 * the graph's clients (graphql-inspector on the API schemas), and whether it weakens any field's
 * `@classified`, which no federation tool looks at. Breaking changes fail unless acknowledged in
 * schema-changes.acknowledged.yaml; classification weakenings fail unless acknowledged there separately,
 * naming the old and the new classification exactly.
 */
import { Supergraph } from '@apollo/federation-internals';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { readFieldClassifications } from '@icg/gateway';
import {
  decide,
  openness,
  STAFF_ROLES,
  TIERS,
  UNCLASSIFIED,
  type AccessDecision,
  type AccessPolicy,
  type Caller,
  type Category,
  type FieldClassification,
  type Role,
  type RowScope,
} from '@icg/shared';
import type { GraphQLSchema } from 'graphql';
import {
  NO_ACKNOWLEDGEMENTS,
  type BreakingChangeAcknowledgement,
  type ClassificationWeakeningAcknowledgement,
  type SchemaChangeAcknowledgements,
} from './schema-change-acknowledgements';

export type SchemaChangeLevel = 'BREAKING' | 'DANGEROUS' | 'SAFE';

/** One change to the API schema, as graphql-inspector reports it (with this graph's escalations applied). */
export interface SchemaChange {
  level: SchemaChangeLevel;
  /** graphql-inspector's `path`: `Type`, `Type.field`, `Type.field.argument` or `Enum.VALUE`. */
  coordinate: string;
  /** graphql-inspector's change type, e.g. `FIELD_REMOVED`. */
  changeType: string;
  message: string;
  /** Why the level is what it is, when there is more to say than the message. */
  reason: string | null;
  /** The acknowledgement's reason when this breaking change is acknowledged. */
  acknowledged: string | null;
}

/** A field present before and after whose effective `@classified` (own, else its type's) changed. */
export interface ClassificationChange {
  coordinate: string;
  /** `describeClassification` of the old and the new classification. */
  from: string;
  to: string;
  /** WEAKENED: some caller may now see more. TIGHTENED: only ever less (callers may meet new denials). */
  verdict: 'WEAKENED' | 'TIGHTENED';
  /** Each way the classification changed, e.g. `tier lowered: CONFIDENTIAL → INTERNAL`. */
  findings: readonly string[];
  acknowledged: string | null;
}

export interface SchemaChangeReport {
  /** True when the two supergraph texts are identical. */
  unchanged: boolean;
  schemaChanges: readonly SchemaChange[];
  classificationChanges: readonly ClassificationChange[];
  /** Acknowledgements that match nothing in this change: warned about so stale ones get removed. */
  unusedAcknowledgements: readonly string[];
  /** False when a breaking change or a classification weakening is not acknowledged. */
  passed: boolean;
}

export interface SchemaChangeCheckOptions {
  /** With the access policy, a classification change that lets any role read more under it is a weakening too. */
  policy?: AccessPolicy;
}

export async function checkSchemaChanges(
  committedSdl: string,
  proposedSdl: string,
  acknowledgements: SchemaChangeAcknowledgements = NO_ACKNOWLEDGEMENTS,
  options: SchemaChangeCheckOptions = {},
): Promise<SchemaChangeReport> {
  const inspectorChanges = await diff(apiSchemaOf(committedSdl), apiSchemaOf(proposedSdl));
  const usedBreaking = new Set<BreakingChangeAcknowledgement>();
  const schemaChanges = inspectorChanges.map((change) => {
    const classified = classifyChange(change);
    const acknowledgement =
      classified.level === 'BREAKING'
        ? acknowledgements.breakingChanges.find((entry) => entry.coordinate === classified.coordinate && entry.change === classified.changeType)
        : undefined;
    if (acknowledgement) usedBreaking.add(acknowledgement);
    return { ...classified, acknowledged: acknowledgement?.reason ?? null };
  });

  const usedWeakenings = new Set<ClassificationWeakeningAcknowledgement>();
  const classificationChanges = compareClassifications(committedSdl, proposedSdl, options.policy).map((change) => {
    const acknowledgement =
      change.verdict === 'WEAKENED'
        ? acknowledgements.classificationWeakenings.find(
            (entry) => entry.coordinate === change.coordinate && entry.from === change.from && entry.to === change.to,
          )
        : undefined;
    if (acknowledgement) usedWeakenings.add(acknowledgement);
    return { ...change, acknowledged: acknowledgement?.reason ?? null };
  });

  const unusedAcknowledgements = [
    ...acknowledgements.breakingChanges
      .filter((entry) => !usedBreaking.has(entry))
      .map((entry) => `breakingChanges: ${entry.coordinate} ${entry.change} matches no breaking change`),
    ...acknowledgements.classificationWeakenings
      .filter((entry) => !usedWeakenings.has(entry))
      .map((entry) => `classificationWeakenings: ${entry.coordinate} ${entry.from} → ${entry.to} matches no classification weakening`),
  ];

  const passed =
    schemaChanges.every((change) => change.level !== 'BREAKING' || change.acknowledged !== null) &&
    classificationChanges.every((change) => change.verdict !== 'WEAKENED' || change.acknowledged !== null);
  return { unchanged: committedSdl === proposedSdl, schemaChanges, classificationChanges, unusedAcknowledgements, passed };
}

/** The schema clients see: federation machinery (join__, link__, @inaccessible elements) removed. */
function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

const LEVELS: Readonly<Record<CriticalityLevel, SchemaChangeLevel>> = {
  [CriticalityLevel.Breaking]: 'BREAKING',
  [CriticalityLevel.Dangerous]: 'DANGEROUS',
  [CriticalityLevel.NonBreaking]: 'SAFE',
};

/**
 * Why an output field made non-null counts as breaking here although graphql-inspector calls it safe:
 * in this graph a field can fail on its own (a denial by the access policy, a subgraph error), and a
 * non-null field that fails nulls its parent, so a client that got the rest of the object with one field
 * null now loses the whole object (or the whole response). Acknowledge it if that is intended.
 */
export const NON_NULL_OUTPUT_FIELD_REASON =
  'graphql-inspector calls this safe, but in this graph a field can fail on its own (an access denial, a subgraph error): ' +
  'once non-null, such a failure nulls the parent object instead of only the field, so clients lose more data';

function classifyChange(change: Change): Omit<SchemaChange, 'acknowledged'> {
  const coordinate = change.path ?? '(schema)';
  const base = { coordinate, changeType: String(change.type), message: change.message, reason: change.criticality.reason ?? null };
  if (isOutputFieldMadeNonNull(change)) return { ...base, level: 'BREAKING', reason: NON_NULL_OUTPUT_FIELD_REASON };
  return { ...base, level: LEVELS[change.criticality.level] };
}

/** `String` → `String!`, `[Policy]` → `[Policy!]!`: only nullability tightened on an output field. */
function isOutputFieldMadeNonNull(change: Change): boolean {
  if (change.type !== 'FIELD_TYPE_CHANGED' || change.criticality.level !== CriticalityLevel.NonBreaking) return false;
  const { oldFieldType, newFieldType } = change.meta as { oldFieldType: string; newFieldType: string };
  const withoutNonNull = (type: string) => type.replaceAll('!', '');
  return oldFieldType !== newFieldType && withoutNonNull(oldFieldType) === withoutNonNull(newFieldType);
}

/**
 * `CONFIDENTIAL/CONTACT/MOBILE`, `INTERNAL/GENERAL` (no mask style), or `UNCLASSIFIED`. The reader returns
 * the shared UNCLASSIFIED object itself for a field without a readable `@classified`, which is how an
 * explicit RESTRICTED/GENERAL is told apart from none.
 */
export function describeClassification(classification: FieldClassification): string {
  if (classification === UNCLASSIFIED) return 'UNCLASSIFIED';
  return [classification.tier, classification.category, ...(classification.mask ? [classification.mask] : [])].join('/');
}

/**
 * How protected a category is, higher = more protected. A category change to a lower level is a
 * weakening; so is one between two different categories of the same level, because same-level
 * categories are not comparable: each carries its own exceptions in the policy.
 *
 * - HEALTH and CREDIT (3) are the special categories: sensitive personal information (PIPL art. 28) and
 *   the only ones the policy denies whole roles regardless of tier (HEALTH to customer managers,
 *   operators and complaint officers, masked for service-centre managers; CREDIT to customer managers).
 *   They are not comparable with each other: HEALTH → CREDIT would open the data to operators, CREDIT →
 *   HEALTH would give claims adjusters clear values on their own claims where the RESTRICTED tier masks.
 * - IDENTITY (2): customer keys; the one category with a rule of its own for every role that reads it
 *   (BI analysts get keyed-hash pseudonyms, not values), so leaving it exposes clear keys.
 * - CONTACT, FINANCIAL, NARRATIVE (1): named need-to-know categories with no exception today, but a
 *   policy may add one at any time and a field relabelled away from its category escapes it.
 * - GENERAL (0): no need-to-know category; only the tier protects the field.
 */
const CATEGORY_PROTECTION: Readonly<Record<Category, number>> = {
  HEALTH: 3,
  CREDIT: 3,
  IDENTITY: 2,
  CONTACT: 1,
  FINANCIAL: 1,
  NARRATIVE: 1,
  GENERAL: 0,
};

interface Comparison {
  weakenings: string[];
  tightenings: string[];
}

function compareClassifications(committedSdl: string, proposedSdl: string, policy: AccessPolicy | undefined): Omit<ClassificationChange, 'acknowledged'>[] {
  const before = readFieldClassifications(committedSdl);
  const after = readFieldClassifications(proposedSdl);
  const changes: Omit<ClassificationChange, 'acknowledged'>[] = [];
  for (const [coordinate, old] of before) {
    const proposed = after.get(coordinate);
    // Removed fields are graphql-inspector's business (FIELD_REMOVED); added ones passed composition's rules.
    if (!proposed) continue;
    const from = describeClassification(old);
    const to = describeClassification(proposed);
    if (from === to) continue;
    const { weakenings, tightenings } = compareClassification(old, proposed, policy);
    const verdict = weakenings.length > 0 ? 'WEAKENED' : 'TIGHTENED';
    changes.push({ coordinate, from, to, verdict, findings: [...weakenings, ...tightenings] });
  }
  return changes;
}

function compareClassification(old: FieldClassification, proposed: FieldClassification, policy: AccessPolicy | undefined): Comparison {
  const comparison: Comparison = { weakenings: [], tightenings: [] };
  if (proposed === UNCLASSIFIED && old !== UNCLASSIFIED) {
    // At run time UNCLASSIFIED is deny-by-default, but the declared protection is gone from the one place
    // it lives (the supergraph): composition never produces this, so the directive was dropped somewhere.
    comparison.weakenings.push('classification removed (or no longer readable): the field no longer declares its tier, category and mask style');
    return comparison;
  }
  compareTier(old, proposed, comparison);
  compareCategory(old, proposed, comparison);
  compareMask(old, proposed, comparison);
  if (policy) comparePolicyDecisions(old, proposed, policy, comparison);
  return comparison;
}

function compareTier(old: FieldClassification, proposed: FieldClassification, comparison: Comparison): void {
  const difference = TIERS.indexOf(proposed.tier) - TIERS.indexOf(old.tier);
  if (difference < 0) comparison.weakenings.push(`tier lowered: ${old.tier} → ${proposed.tier}`);
  if (difference > 0) comparison.tightenings.push(`tier raised: ${old.tier} → ${proposed.tier}`);
}

function compareCategory(old: FieldClassification, proposed: FieldClassification, comparison: Comparison): void {
  if (old.category === proposed.category) return;
  const difference = CATEGORY_PROTECTION[proposed.category] - CATEGORY_PROTECTION[old.category];
  if (difference > 0) comparison.tightenings.push(`category more protected: ${old.category} → ${proposed.category}`);
  else if (difference < 0) comparison.weakenings.push(`category less protected: ${old.category} → ${proposed.category}`);
  else
    comparison.weakenings.push(
      `category changed: ${old.category} → ${proposed.category} (not comparable: the field leaves ${old.category}'s policy exceptions)`,
    );
}

/**
 * Without a mask style, a MASK decision is rendered as DENY (shared/src/access/decide.ts), so removing
 * the style only ever hides more, and adding one reveals a partial value where there was none. Two
 * styles keep different parts of a value (masks.ts: MOBILE keeps 7 of 11 characters, NAME keeps 1), so
 * any change of style may reveal more of the same value and counts as a weakening.
 */
function compareMask(old: FieldClassification, proposed: FieldClassification, comparison: Comparison): void {
  if (old.mask === proposed.mask) return;
  if (old.mask === null)
    comparison.weakenings.push(`mask style added: ${proposed.mask} (where the policy says MASK, callers now get part of the value instead of a denial)`);
  else if (proposed.mask === null) comparison.tightenings.push(`mask style removed: ${old.mask} (where the policy says MASK, callers now get a denial)`);
  else comparison.weakenings.push(`mask style changed: ${old.mask} → ${proposed.mask} (a different rule may keep more of the same value)`);
}

/**
 * The label rules above hold whatever the policy says; this one asks the current policy directly, and
 * catches e.g. a move into HEALTH giving claims adjusters clear values where the tier masked them.
 */
function comparePolicyDecisions(old: FieldClassification, proposed: FieldClassification, policy: AccessPolicy, comparison: Comparison): void {
  const openings = STAFF_ROLES.flatMap((role) => {
    const opening = firstOpening(policy, role, old, proposed);
    return opening ? [`${role} ${opening}`] : [];
  });
  if (openings.length === 0) return;
  // One line: the first role's case in full, the others by name (every role can be affected at once).
  const others = openings.slice(1).map((opening) => opening.split(' ')[0]);
  comparison.weakenings.push(
    `under access policy ${policy.version}, ${openings.length === 1 ? 'a role reads' : `${openings.length} roles read`} more: ${openings[0]}` +
      (others.length > 0 ? `; also ${others.join(', ')}` : ''),
  );
}

/** Own record, another record of the caller's branch, a record outside it. */
const RECORD_SCOPES: readonly { label: string; scope: RowScope | undefined }[] = [
  { label: 'on their own records', scope: { branchPath: '/1/', responsibleStaffIds: ['1'] } },
  { label: 'on other records of their branch', scope: { branchPath: '/1/', responsibleStaffIds: ['2'] } },
  { label: 'out of scope', scope: undefined },
];

function firstOpening(policy: AccessPolicy, role: Role, old: FieldClassification, proposed: FieldClassification): string | undefined {
  for (const purpose of [null, ...policy.purposes]) {
    const caller: Caller = { staffId: '1', role, branchPath: '/1/', grade: null, purpose };
    for (const { label, scope } of RECORD_SCOPES) {
      const before = decide(policy, caller, old, scope);
      const after = decide(policy, caller, proposed, scope);
      if (visibility(after) > visibility(before)) {
        return `gets ${describeDecision(after)} instead of ${describeDecision(before)} ${label}, ${purpose ? `purpose ${purpose}` : 'no purpose'}`;
      }
    }
  }
  return undefined;
}

/** DENY < MASK < ALLOW as a pseudonym < ALLOW in clear. */
function visibility(decision: AccessDecision): number {
  return openness(decision.decision) * 2 - (decision.pseudonymise ? 1 : 0);
}

function describeDecision(decision: AccessDecision): string {
  return decision.pseudonymise ? 'ALLOW (pseudonymised)' : decision.decision;
}

/** The report developers and CI read: every change with its level and coordinate, then a summary. */
export function formatSchemaChangeReport(report: SchemaChangeReport): string {
  if (report.unchanged && report.unusedAcknowledgements.length === 0) return 'supergraph is current\n';
  const lines: string[] = [];
  if (report.unchanged) lines.push('supergraph is current');
  const order: readonly SchemaChangeLevel[] = ['BREAKING', 'DANGEROUS', 'SAFE'];
  const sorted = [...report.schemaChanges].sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level) || a.coordinate.localeCompare(b.coordinate));
  if (sorted.length > 0) lines.push('Schema changes (API schema, graphql-inspector):');
  for (const change of sorted) {
    const level = change.level === 'BREAKING' && change.acknowledged !== null ? 'BREAKING (acknowledged)' : change.level;
    lines.push(`  ${level.padEnd(9)} ${change.coordinate}: ${change.message} [${change.changeType}]`);
    // graphql-inspector's own reasons for breaking changes are boilerplate; ours (escalations) and dangerous ones are not.
    if (change.reason && (change.level === 'DANGEROUS' || change.reason === NON_NULL_OUTPUT_FIELD_REASON)) lines.push(`            why: ${change.reason}`);
    if (change.acknowledged !== null) lines.push(`            acknowledged: ${change.acknowledged}`);
  }
  if (report.classificationChanges.length > 0) lines.push('Classification changes (@classified):');
  for (const change of report.classificationChanges) {
    const verdict = change.verdict === 'WEAKENED' && change.acknowledged !== null ? 'WEAKENED (acknowledged)' : change.verdict;
    lines.push(`  ${verdict.padEnd(9)} ${change.coordinate}: ${change.from} → ${change.to}`);
    for (const finding of change.findings) lines.push(`            ${finding}`);
    if (change.acknowledged !== null) lines.push(`            acknowledged: ${change.acknowledged}`);
  }
  for (const unused of report.unusedAcknowledgements) lines.push(`warning: stale acknowledgement, remove it: ${unused}`);
  if (!report.unchanged && sorted.length === 0 && report.classificationChanges.length === 0) {
    lines.push('No change to the API schema or to any classification (only federation metadata differs).');
  }
  lines.push(summaryLine(report));
  return `${lines.join('\n')}\n`;
}

function summaryLine(report: SchemaChangeReport): string {
  const count = (level: SchemaChangeLevel) => report.schemaChanges.filter((change) => change.level === level).length;
  const unacknowledgedBreaking = report.schemaChanges.filter((change) => change.level === 'BREAKING' && change.acknowledged === null).length;
  const weakened = report.classificationChanges.filter((change) => change.verdict === 'WEAKENED');
  const unacknowledgedWeakened = weakened.filter((change) => change.acknowledged === null).length;
  const tightened = report.classificationChanges.length - weakened.length;
  const parts = [
    `${count('BREAKING')} breaking (${unacknowledgedBreaking} not acknowledged)`,
    `${count('DANGEROUS')} dangerous`,
    `${count('SAFE')} safe`,
    `${weakened.length} classification weakening${weakened.length === 1 ? '' : 's'} (${unacknowledgedWeakened} not acknowledged)`,
    `${tightened} tightening${tightened === 1 ? '' : 's'}`,
  ];
  return `Summary: ${parts.join(', ')}: ${report.passed ? 'check passed' : 'check FAILED'}`;
}
