/**
 * Which records a root lookup is tried on, and as which member of the role: candidates from the seeded
 * facts (tickets from the census, the facts do not hold them), each with the row scope it really has,
 * sorted into the sides of a staff member's scope; on each side, the member and the few records that
 * together have the most kinds of child records.
 */
import { isInScope, type RowScope } from '@icg/shared';
import type { MatrixCaller, MatrixStaff } from './matrix-callers';
import type { Census } from './matrix-census';
import type { CompanyFacts, RecordScopes } from './record-scopes';

export interface CandidateRecord {
  key: string;
  scope: RowScope;
  /** Records of different varieties (customer kinds, lines of business…) have different child records. */
  variety: string;
  /** Child records and references it has (from the census), for choosing records that show the most. */
  valued: ReadonlySet<string>;
}

export interface PlannedSide {
  /** e.g. `in scope`, `out of scope`, `in BRANCH scope, out of OWN`. */
  label: string;
  staff: MatrixStaff;
  keys: string[];
}

const NOTHING: ReadonlySet<string> = new Set();

/** Candidates for a root type: the census's where it reaches the type, else the facts'. */
export function candidateRecords(facts: CompanyFacts, scopes: RecordScopes, census: Census, typeName: string): CandidateRecord[] {
  const counted = census.records(typeName);
  const valuedByKey = new Map((counted ?? []).map((record) => [record.key, record.valued]));
  const valuedOf = (key: string) => valuedByKey.get(key) ?? NOTHING;
  switch (typeName) {
    case 'Customer':
      return [...facts.customers.values()].map((customer) => ({
        key: String(customer.id),
        scope: scopes.own(typeName, { id: String(customer.id) }),
        variety: customer.kind,
        valued: valuedOf(String(customer.id)),
      }));
    case 'Policy':
      return [...facts.policies.values()].map((policy) => ({
        key: policy.policyNo,
        scope: scopes.own(typeName, { policyNo: policy.policyNo }),
        variety: policy.lineOfBusiness,
        valued: valuedOf(policy.policyNo),
      }));
    case 'Claim':
      return [...facts.claims.values()].map((claim) => ({
        key: claim.reportNo,
        scope: scopes.own(typeName, { reportNo: claim.reportNo }),
        variety: claim.status,
        valued: valuedOf(claim.reportNo),
      }));
    case 'Complaint':
      return [...facts.complaints.values()].map((complaint) => ({
        key: complaint.complaintNo,
        scope: scopes.own(typeName, { complaintNo: complaint.complaintNo }),
        variety: complaint.category,
        valued: valuedOf(complaint.complaintNo),
      }));
    case 'Staff':
    case 'CustomerManager':
      return facts.org.staff
        .filter((member) => typeName === 'Staff' || member.role === 'CUSTOMER_MANAGER')
        .map((member) => ({ key: String(member.id), scope: scopes.own(typeName, { id: String(member.id) }), variety: member.role, valued: NOTHING }));
    case 'Branch':
      return facts.org.branches.map((branch) => ({
        key: String(branch.id),
        scope: scopes.own(typeName, { id: String(branch.id) }),
        variety: branch.level,
        valued: NOTHING,
      }));
    default:
      if (!counted) throw new Error(`Neither the facts nor the census hold records of ${typeName}`);
      // Tickets: the hotline's seed draws them; the census names each with its customer and assignee.
      return counted.map((record) => ({ key: record.key, scope: scopes.own(typeName, record.reference), variety: typeName, valued: record.valued }));
  }
}

function sideLabel(caller: MatrixCaller, staff: MatrixStaff, scope: RowScope): string {
  const inside = caller.scopeKinds.filter((kind) => isInScope(kind, staff.caller, scope));
  const outside = caller.scopeKinds.filter((kind) => !inside.includes(kind));
  if (outside.length === 0) return 'in scope';
  if (inside.length === 0) return 'out of scope';
  return `in ${inside.join('+')} scope, out of ${outside.join('+')}`;
}

/** Keys in natural order (customer 9 before 10). */
const compareKeys = new Intl.Collator('en', { numeric: true }).compare;

const provinceOf = (branchPath: string): string | undefined => branchPath.split('/').filter(Boolean)[1];

/**
 * Up to `count` records, each adding the most child records not yet covered; candidates are ranked by
 * what they have, varieties in turn, and out of scope those of another province first.
 */
function chooseRecords(
  candidates: readonly CandidateRecord[],
  count: number,
  staff: MatrixStaff,
  outside: boolean,
  coveredBefore: ReadonlySet<string> = new Set(),
): { keys: string[]; covered: number; coordinates: Set<string> } {
  const callerProvince = provinceOf(staff.caller.branchPath);
  const sameProvince = new Map(candidates.map((candidate) => [candidate, outside && provinceOf(candidate.scope.branchPath) === callerProvince ? 1 : 0]));
  const ranked = [...candidates].sort(
    (left, right) => sameProvince.get(left)! - sameProvince.get(right)! || right.valued.size - left.valued.size || compareKeys(left.key, right.key),
  );
  const keys: string[] = [];
  const covered = new Set<string>(coveredBefore);
  const varietiesTaken = new Set<string>();
  while (keys.length < count) {
    let best: { candidate: CandidateRecord; gain: number } | undefined;
    for (const candidate of ranked) {
      // Cannot add more than it has: no need to count.
      if (keys.includes(candidate.key) || (best && candidate.valued.size < best.gain)) continue;
      let gain = 0;
      for (const coordinate of candidate.valued) if (!covered.has(coordinate)) gain++;
      // Among equal gains, a variety not taken yet.
      const better = !best || gain > best.gain || (gain === best.gain && varietiesTaken.has(best.candidate.variety) && !varietiesTaken.has(candidate.variety));
      if (better) best = { candidate, gain };
    }
    if (!best || (keys.length > 0 && best.gain === 0 && varietiesTaken.has(best.candidate.variety))) break;
    keys.push(best.candidate.key);
    varietiesTaken.add(best.candidate.variety);
    for (const coordinate of best.candidate.valued) covered.add(coordinate);
  }
  return { keys, covered: covered.size - coveredBefore.size, coordinates: covered };
}

/**
 * Every side of the role's scope some member has records on, each with the requests to make there: as
 * whichever member, with whichever records, adds the most child records not yet covered on that side, until
 * no member's records add any (one request holds only so many records: the gateway's cost limit). A rare
 * child record held only by one member's customers is so not crowded out by a member with more of the
 * common ones; the preferred member is taken where others add no more.
 */
export function planSides(caller: MatrixCaller, candidates: readonly CandidateRecord[], recordsPerSide: number): PlannedSide[] {
  // Side label → each member's records on that side, in the pool's order (the preferred member first).
  const sides = new Map<string, Map<MatrixStaff, CandidateRecord[]>>();
  for (const staff of caller.staffPool) {
    for (const candidate of candidates) {
      const label = sideLabel(caller, staff, candidate.scope);
      const byStaff = sides.get(label) ?? new Map<MatrixStaff, CandidateRecord[]>();
      sides.set(label, byStaff);
      const members = byStaff.get(staff);
      if (members) members.push(candidate);
      else byStaff.set(staff, [candidate]);
    }
  }
  const planned: PlannedSide[] = [];
  const order = (label: string) => (label === 'in scope' ? 0 : label === 'out of scope' ? 2 : 1);
  for (const label of [...sides.keys()].sort((left, right) => order(left) - order(right) || left.localeCompare(right))) {
    const covered = new Set<string>();
    const taken = new Set<string>();
    for (;;) {
      let best: { staff: MatrixStaff; keys: string[]; covered: number; coordinates: Set<string> } | undefined;
      for (const [staff, members] of sides.get(label)!) {
        const rest = members.filter((member) => !taken.has(member.key));
        if (rest.length === 0) continue;
        const chosen = chooseRecords(rest, recordsPerSide, staff, label === 'out of scope', covered);
        if (chosen.keys.length > 0 && (!best || chosen.covered > best.covered)) best = { staff, ...chosen };
      }
      // The first request on a side is made even when its records have no child records at all.
      if (!best || (planned.some((side) => side.label === label) && best.covered === 0)) break;
      best.keys.forEach((key) => taken.add(key));
      best.coordinates.forEach((coordinate) => covered.add(coordinate));
      planned.push({ label, staff: best.staff, keys: best.keys });
    }
  }
  return planned;
}
