import { addDays, insertInChunks, isoDate, MANAGER_GRADES, sqlTimestamp, type Knex, type ManagerGrade, type StaffRole } from '@icg/shared';
import {
  AREA_CODES,
  chineseName,
  fakerFor,
  generateMobile,
  randomString,
  SeededRandom,
  type BranchFact,
  type CustomerFact,
  type OrgFacts,
  type PolicyFact,
  type SeedBatch,
  type StaffFact,
  type SubgraphSeeder,
} from '@icg/synthetic';
import { countCustomers, countGroupOf, CUSTOMER_COUNTS_TABLE } from './customer-counts';
import { PREMIUM_LEDGER_TABLE, type PremiumLedgerRow } from './large-customers';
import { gradeChangeRows, majorEventRows } from './workflow-seed';
import {
  formatFullAddress,
  wholeYearsSince,
  type AddressKind,
  type AddressRow,
  type BlacklistEntryRow,
  type BlacklistStatus,
  type BranchRow,
  type BusinessProfileRow,
  type ChangeRequestField,
  type ChangeRequestRow,
  type ChangeRequestStatus,
  type CreditRating,
  type CustomerRow,
  type Gender,
  type GradeHistoryRow,
  type HouseholdMemberRow,
  type HouseholdRelationship,
  type IncomeBand,
  type ManagerAssignmentRow,
  type StaffRow,
  type VisitReportRow,
} from './records';
import {
  BLACKLIST_REASONS,
  COMMUNITY_KINDS,
  COMMUNITY_STEMS,
  FALLBACK_DISTRICTS,
  INDIVIDUAL_VISIT_TOPICS,
  INDUSTRIES,
  OCCUPATIONS,
  OFFICE_KINDS,
  OFFICE_STEMS,
  ORGANISATION_VISIT_TOPICS,
  PERSONAL_EMAIL_DOMAINS,
  STREET_KINDS,
  STREET_STEMS,
  VISIT_OPENINGS,
  VISIT_OUTCOMES,
} from './seed-vocabulary';

/**
 * The CRM's seeder: the org tree and staff once, then per batch each customer fact elaborated into
 * the CRM's rows. Every detail comes from `SeededRandom.for(seed, '<kind>', id)`, so a customer's
 * rows do not depend on the batch size or on which customers came before (except the group parent,
 * drawn from the organisations earlier in the same batch).
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';

const INCOME_BANDS: readonly IncomeBand[] = ['UNDER_60K', 'FROM_60K_TO_120K', 'FROM_120K_TO_300K', 'FROM_300K_TO_1M', 'OVER_1M'];
const INCOME_BAND_WEIGHTS: readonly (readonly [IncomeBand, number])[] = [
  ['UNDER_60K', 0.25],
  ['FROM_60K_TO_120K', 0.35],
  ['FROM_120K_TO_300K', 0.25],
  ['FROM_300K_TO_1M', 0.12],
  ['OVER_1M', 0.03],
];
const CREDIT_RATING_WEIGHTS: readonly (readonly [CreditRating, number])[] = [
  ['AAA', 0.08],
  ['AA', 0.17],
  ['A', 0.3],
  ['BBB', 0.25],
  ['BB', 0.12],
  ['B', 0.06],
  ['C', 0.02],
];
const HISTORY_STATUS_WEIGHTS: readonly (readonly [Exclude<BlacklistStatus, 'ACTIVE'>, number])[] = [
  ['LIFTED', 0.4],
  ['EXPIRED', 0.35],
  ['PROPOSED', 0.25],
];
const CHANGE_STATUS_WEIGHTS: readonly (readonly [ChangeRequestStatus, number])[] = [
  ['SUBMITTED', 0.4],
  ['RETURNED', 0.2],
  ['APPROVED', 0.25],
  ['REJECTED', 0.15],
];
const PERSON_CHANGE_FIELDS: readonly ChangeRequestField[] = ['MOBILE', 'EMAIL', 'ADDRESS', 'OCCUPATION', 'INCOME_BAND', 'MARKETING_CONSENT'];
const ORGANISATION_CHANGE_FIELDS: readonly ChangeRequestField[] = ['MOBILE', 'EMAIL', 'ADDRESS', 'MARKETING_CONSENT'];
/** Grades approved by the provincial branch (DOMAIN.md section 2); the others by the city branch. */
const PROVINCE_APPROVED_GRADES: readonly ManagerGrade[] = ['SENIOR', 'PRINCIPAL'];
/** Grade certifications kept per manager. */
const GRADE_HISTORY_YEARS = 10;
const VISIT_REPORT_MONTHS = 6;

/** Faker's zh_CN two-character surnames, so a person's surname is split off correctly. */
const COMPOUND_SURNAMES: ReadonlySet<string> = new Set(
  (fakerFor('surnames').rawDefinitions.person?.last_name?.generic ?? []).filter((surname) => surname.length === 2),
);

const DISTRICTS_BY_CITY: ReadonlyMap<string, readonly string[]> = AREA_CODES.reduce(
  (map, area) => map.set(area.city, [...(map.get(area.city) ?? []), area.district]),
  new Map<string, string[]>(),
);

const dateOf = (isoDay: string): Date => new Date(`${isoDay}T00:00:00Z`);
/** Midnight (UTC) of the date's day: assignment periods run in whole days. */
const dayOf = (date: Date): Date => dateOf(isoDate(date));
const latestOf = (...dates: Date[]): Date => new Date(Math.max(...dates.map((date) => date.getTime())));
const earliestOf = (...dates: Date[]): Date => new Date(Math.min(...dates.map((date) => date.getTime())));

function surnameOf(fullName: string): string {
  return COMPOUND_SURNAMES.has(fullName.slice(0, 2)) ? fullName.slice(0, 2) : fullName.slice(0, 1);
}

// ---------------------------------------------------------------------------------------------
// Reference data: branches, staff and the managers' grade certifications.
// ---------------------------------------------------------------------------------------------

function branchRow(branch: BranchFact): BranchRow {
  return {
    id: branch.id,
    code: branch.code,
    name: branch.name,
    level: branch.level,
    parent_id: branch.parentId,
    path: branch.path,
    province: branch.province,
    city: branch.city,
    area_code: branch.areaCode,
  };
}

function staffRow(member: StaffFact): StaffRow {
  return {
    id: member.id,
    staff_no: member.staffNo,
    name: member.name,
    gender: member.gender,
    role: member.role,
    grade: member.grade,
    hired_on: member.hiredOn,
    branch_id: member.branchId,
    branch_path: member.branchPath,
  };
}

/**
 * One certification per year from hiring (at most the last ten years) up to the current grade:
 * walking back in time, a manager was at most one grade lower each earlier year.
 */
function gradeHistoryRows(seed: number, asOf: Date, member: StaffFact, branches: ReadonlyMap<number, BranchFact>): GradeHistoryRow[] {
  if (member.grade === null) return [];
  const random = SeededRandom.for(seed, 'crm-grades', member.id);
  const branch = branches.get(member.branchId)!;
  const hired = dateOf(member.hiredOn);
  const firstYear = Math.max(hired.getUTCFullYear(), asOf.getUTCFullYear() - GRADE_HISTORY_YEARS + 1);
  const rows: GradeHistoryRow[] = [];
  let gradeIndex = MANAGER_GRADES.indexOf(member.grade);
  for (let year = asOf.getUTCFullYear(); year >= firstYear; year--) {
    // Certified each January from the previous year's assessment; the first on the day of hiring.
    const approvedOn = year === hired.getUTCFullYear() ? hired : new Date(Date.UTC(year, 0, random.int(5, 25)));
    if (approvedOn > asOf) continue;
    const grade = MANAGER_GRADES[gradeIndex]!;
    const byProvince = PROVINCE_APPROVED_GRADES.includes(grade) && branch.level === 'CITY';
    rows.push({
      staff_id: member.id,
      year,
      grade,
      approved_by_level: PROVINCE_APPROVED_GRADES.includes(grade) ? 'PROVINCE' : 'CITY',
      approved_by_branch_id: byProvince ? branch.parentId! : branch.id,
      approved_on: isoDate(approvedOn),
    });
    if (gradeIndex < MANAGER_GRADES.length - 1 && random.chance(0.35)) gradeIndex++;
  }
  return rows.reverse();
}

/**
 * `asOf` dates the grade history; the seed runner does not pass it yet, so it defaults to the
 * runner's default company date.
 */
async function seedReference(db: Knex, org: OrgFacts, seed: number, asOf: Date): Promise<void> {
  const branches = new Map(org.branches.map((branch) => [branch.id, branch]));
  await insertInChunks(db, 'branches', org.branches.map(branchRow));
  await insertInChunks(db, 'staff', org.staff.map(staffRow));
  const history = org.staff.flatMap((member) => gradeHistoryRows(seed, asOf, member, branches));
  await insertInChunks(db, 'manager_grade_history', history);
  await insertInChunks(db, 'manager_grade_changes', gradeChangeRows(history, org));
}

// ---------------------------------------------------------------------------------------------
// Per-batch elaboration of customer facts.
// ---------------------------------------------------------------------------------------------

interface BatchContext {
  seed: number;
  asOf: Date;
  org: OrgFacts;
  branches: ReadonlyMap<number, BranchFact>;
  staff: ReadonlyMap<number, StaffFact>;
}

interface CustomerRows {
  customer: CustomerRow;
  addresses: AddressRow[];
  householdMembers: HouseholdMemberRow[];
  businessProfile: BusinessProfileRow | null;
  managerAssignments: ManagerAssignmentRow[];
  visitReports: VisitReportRow[];
  blacklistEntries: BlacklistEntryRow[];
  changeRequests: ChangeRequestRow[];
}

/** A period in which one manager was the customer's primary manager. */
interface PrimaryPeriod {
  managerStaffId: number;
  from: Date;
  /** Last day; null while it lasts. */
  to: Date | null;
}

function districtIn(random: SeededRandom, city: string): string {
  return random.pick(DISTRICTS_BY_CITY.get(city) ?? FALLBACK_DISTRICTS);
}

function streetIn(random: SeededRandom, district: string): string {
  return `${district}${random.pick(STREET_STEMS)}${random.pick(STREET_KINDS)}${random.int(1, 399)}号`;
}

/** 南山区科技园路18号阳光花园3栋2单元1502室 */
function homeLine(random: SeededRandom, city: string): string {
  return `${streetIn(random, districtIn(random, city))}${random.pick(COMMUNITY_STEMS)}${random.pick(COMMUNITY_KINDS)}${random.int(1, 28)}栋${random.int(1, 4)}单元${random.int(1, 32)}${String(random.int(1, 6)).padStart(2, '0')}室`;
}

/** 天河区中山大道88号国际大厦12层 */
function officeLine(random: SeededRandom, city: string): string {
  return `${streetIn(random, districtIn(random, city))}${random.pick(OFFICE_STEMS)}${random.pick(OFFICE_KINDS)}${random.int(1, 40)}层`;
}

function addressRows(context: BatchContext, fact: CustomerFact): AddressRow[] {
  const random = SeededRandom.for(context.seed, 'crm-addresses', fact.id);
  const local = (kind: AddressKind, line: string): AddressRow => ({ customer_id: fact.id, kind, province: fact.province, city: fact.city, line });
  if (fact.kind === 'ORGANISATION') {
    const rows = [local('REGISTERED', officeLine(random, fact.city))];
    if (random.chance(0.6)) rows.push(local('OPERATING', officeLine(random, fact.city)));
    if (random.chance(0.2)) rows.push(local('MAILING', officeLine(random, fact.city)));
    return rows;
  }
  const rows = [local('HOME', homeLine(random, fact.city))];
  if (random.chance(0.55)) rows.push(local('WORK', officeLine(random, fact.city)));
  if (random.chance(0.35)) {
    // Household registration is often back in the home town, anywhere in the country.
    const hometown = random.pick(AREA_CODES);
    rows.push({ customer_id: fact.id, kind: 'REGISTERED', province: hometown.province, city: hometown.city, line: homeLine(random, hometown.city) });
  }
  if (random.chance(0.15)) rows.push(local('MAILING', homeLine(random, fact.city)));
  return rows;
}

function personalEmail(random: SeededRandom): string {
  if (random.chance(0.4)) return `${random.int(10_000, 2_999_999_999)}@qq.com`;
  return `${randomString(random, LETTERS, random.int(3, 8))}${randomString(random, DIGITS, random.int(0, 4))}@${random.pick(PERSONAL_EMAIL_DOMAINS)}`;
}

function organisationEmail(random: SeededRandom): string {
  return `${random.pick(['info', 'service', 'contact', 'admin', 'hr'])}@${randomString(random, LETTERS, random.int(4, 9))}.com.cn`;
}

interface Relative {
  name: string;
  gender: Gender;
  relationship: HouseholdRelationship;
  birth: Date;
}

const yearsInMs = (years: number): number => years * 365.25 * DAY_MS;

/** A relative whose age fits the customer's; children take the father's surname. */
function drawRelative(
  context: BatchContext,
  fact: CustomerFact,
  relationship: HouseholdRelationship,
  household: readonly Relative[],
  random: SeededRandom,
): Relative {
  const self = household[0]!;
  const memberNo = household.length + 1;
  const surname = surnameOf(self.name);
  const ownSurname = () => fakerFor(context.seed, 'household-surname', fact.id, memberNo).person.lastName();
  const latestBirth = addDays(context.asOf, -30);
  const spouse = household.find((member) => member.relationship === 'SPOUSE');
  let gender: Gender;
  let memberSurname: string;
  let birth: Date;
  switch (relationship) {
    case 'SPOUSE':
      gender = self.gender === 'MALE' ? 'FEMALE' : 'MALE';
      memberSurname = ownSurname();
      birth = earliestOf(new Date(self.birth.getTime() + random.int(-6 * 365, 6 * 365) * DAY_MS), new Date(context.asOf.getTime() - yearsInMs(20)));
      break;
    case 'CHILD':
      gender = random.chance(0.5) ? 'MALE' : 'FEMALE';
      memberSurname = self.gender === 'MALE' || !spouse ? surname : surnameOf(spouse.name);
      birth = random.between(new Date(self.birth.getTime() + yearsInMs(22)), earliestOf(new Date(self.birth.getTime() + yearsInMs(40)), latestBirth));
      break;
    case 'PARENT':
      gender = household.some((member) => member.relationship === 'PARENT' && member.gender === 'MALE') ? 'FEMALE' : 'MALE';
      memberSurname = gender === 'MALE' ? surname : ownSurname();
      birth = new Date(self.birth.getTime() - random.int(20 * 365, 38 * 365) * DAY_MS);
      break;
    default:
      gender = random.chance(0.5) ? 'MALE' : 'FEMALE';
      memberSurname = surname;
      birth = earliestOf(new Date(self.birth.getTime() + random.int(-8 * 365, 8 * 365) * DAY_MS), latestBirth);
  }
  const givenName = fakerFor(context.seed, 'household-name', fact.id, memberNo).person.firstName(gender === 'MALE' ? 'male' : 'female');
  return { name: `${memberSurname}${givenName}`, gender, relationship, birth };
}

/** For 60 % of people: the customer plus 1–4 relatives, exactly one head. */
function householdRows(context: BatchContext, fact: CustomerFact): HouseholdMemberRow[] {
  const random = SeededRandom.for(context.seed, 'crm-household', fact.id);
  if (fact.kind !== 'INDIVIDUAL' || fact.birthDate === null || fact.gender === null || !random.chance(0.6)) return [];
  const age = wholeYearsSince(fact.birthDate, context.asOf);
  const target = random.int(2, 5);
  const members: Relative[] = [{ name: fact.name, gender: fact.gender, relationship: 'SELF', birth: dateOf(fact.birthDate) }];
  const count = (relationship: HouseholdRelationship) => members.filter((member) => member.relationship === relationship).length;
  while (members.length < target) {
    const options: [HouseholdRelationship, number][] = [];
    if (count('SPOUSE') === 0 && age >= 22) options.push(['SPOUSE', 5]);
    if (age >= 23 && count('CHILD') < 3) options.push(['CHILD', 4]);
    if (age <= 60 && count('PARENT') < 2) options.push(['PARENT', 2]);
    if (count('SIBLING') < 2) options.push(['SIBLING', 1]);
    members.push(drawRelative(context, fact, random.weighted(options), members, random));
  }
  // Young adults are usually registered under a parent; otherwise the customer or the spouse heads it.
  const parent =
    members.find((member) => member.relationship === 'PARENT' && member.gender === 'MALE') ?? members.find((member) => member.relationship === 'PARENT');
  const spouse = members.find((member) => member.relationship === 'SPOUSE');
  const head = age < 28 && parent ? parent : spouse && fact.gender === 'FEMALE' && random.chance(0.6) ? spouse : members[0]!;
  return members.map((member, index) => ({
    customer_id: fact.id,
    member_no: index + 1,
    name: member.name,
    gender: member.gender,
    relationship: member.relationship,
    is_head: member === head,
    birth_date: isoDate(member.birth),
  }));
}

function businessProfileRow(context: BatchContext, fact: CustomerFact, earlierOrganisations: readonly BusinessProfileRow[]): BusinessProfileRow | null {
  if (fact.kind !== 'ORGANISATION') return null;
  const random = SeededRandom.for(context.seed, 'crm-business', fact.id);
  const employees = random.weighted([
    [[5, 50], 0.5],
    [[50, 500], 0.35],
    [[500, 5_000], 0.15],
  ] as const);
  const headcount = random.int(employees[0], employees[1]);
  // Its own generator, so the batch's contents change only the group parent, never the other fields.
  const groupRandom = SeededRandom.for(context.seed, 'crm-group', fact.id);
  // Only top-level organisations head a group, so groups are one level deep and never cyclic.
  const groupHeads = earlierOrganisations.filter((profile) => profile.group_parent_customer_id === null);
  const groupParent = groupRandom.chance(0.15) && groupHeads.length > 0 ? groupRandom.pick(groupHeads) : null;
  const legalRepresentativeGender = random.chance(0.75) ? 'MALE' : 'FEMALE';
  return {
    customer_id: fact.id,
    industry: random.pick(INDUSTRIES),
    registered_capital: Math.round((headcount * random.amount(20_000, 200_000)) / 10_000) * 10_000,
    employees: headcount,
    annual_revenue: Math.round(headcount * random.amount(150_000, 1_200_000)),
    legal_representative: chineseName([context.seed, 'legal-representative', fact.id], legalRepresentativeGender),
    group_parent_customer_id: groupParent ? groupParent.customer_id : null,
  };
}

/**
 * Primary periods back from the current manager: earlier managers of the same branch (and, for
 * organisations, of principal grade or above) each served until the day before the next took over.
 */
function primaryPeriods(context: BatchContext, fact: CustomerFact, random: SeededRandom): PrimaryPeriod[] {
  if (fact.primaryManagerStaffId === null) return [];
  const since = dateOf(fact.customerSince);
  const hired = (staffId: number) => dateOf(context.staff.get(staffId)!.hiredOn);
  const eligible = (context.org.managersByBranch.get(fact.branchId) ?? []).filter(
    (manager) => fact.kind === 'INDIVIDUAL' || PROVINCE_APPROVED_GRADES.includes(manager.grade!),
  );
  const current = fact.primaryManagerStaffId;
  let previousWanted: number = random.weighted([
    [0, 0.6],
    [1, 0.3],
    [2, 0.1],
  ] as const);
  // A manager hired after the customer joined took the customer over from someone.
  if (hired(current) > since) previousWanted = Math.max(previousWanted, 1);
  const earliestTakeOver = latestOf(addDays(since, 60), hired(current));
  const latestTakeOver = addDays(context.asOf, -30);
  const currentFrom = dayOf(
    previousWanted > 0 && earliestTakeOver < latestTakeOver
      ? random.between(earliestTakeOver, latestTakeOver)
      : earliestOf(latestOf(since, hired(current)), context.asOf),
  );
  const periods: PrimaryPeriod[] = [{ managerStaffId: current, from: currentFrom, to: null }];
  let takeOver = currentFrom;
  for (let previous = 0; previous < previousWanted && takeOver > addDays(since, 60); previous++) {
    const candidates = eligible.filter((manager) => manager.id !== periods[0]!.managerStaffId && hired(manager.id) < addDays(takeOver, -60));
    if (candidates.length === 0) break;
    const manager = random.pick(candidates);
    const earliestStart = latestOf(since, hired(manager.id));
    const isFirst = previous === previousWanted - 1 || earliestStart >= addDays(takeOver, -120);
    const from = isFirst ? earliestStart : dayOf(random.between(earliestStart, addDays(takeOver, -60)));
    periods.unshift({ managerStaffId: manager.id, from, to: addDays(takeOver, -1) });
    takeOver = from;
  }
  return periods;
}

function managerAssignmentRows(context: BatchContext, fact: CustomerFact, periods: readonly PrimaryPeriod[], random: SeededRandom): ManagerAssignmentRow[] {
  const rows: Omit<ManagerAssignmentRow, 'id'>[] = periods.map((period) => ({
    customer_id: fact.id,
    manager_staff_id: period.managerStaffId,
    is_primary: true,
    assigned_from: isoDate(period.from),
    assigned_to: period.to ? isoDate(period.to) : null,
    current_primary_customer_id: period.to === null ? fact.id : null,
  }));
  // Some customers also have an assisting manager from the same branch.
  const current = periods[periods.length - 1];
  const assistants = (context.org.managersByBranch.get(fact.branchId) ?? []).filter(
    (manager) => manager.id !== current?.managerStaffId && dateOf(manager.hiredOn) < addDays(context.asOf, -30),
  );
  if (current && current.from < addDays(context.asOf, -14) && assistants.length > 0 && random.chance(0.15)) {
    const assistant = random.pick(assistants);
    const from = dayOf(random.between(latestOf(current.from, dateOf(assistant.hiredOn)), addDays(context.asOf, -7)));
    const to = random.chance(0.4) ? dayOf(random.between(from, context.asOf)) : null;
    rows.push({
      customer_id: fact.id,
      manager_staff_id: assistant.id,
      is_primary: false,
      assigned_from: isoDate(from),
      assigned_to: to ? isoDate(to) : null,
      current_primary_customer_id: null,
    });
  }
  return rows.sort((a, b) => a.assigned_from.localeCompare(b.assigned_from)).map((row, index) => ({ id: fact.id * 10 + index + 1, ...row }));
}

/** The six full months before `asOf`, for a third of the managed customers, by whoever was primary then. */
function visitReportRows(context: BatchContext, fact: CustomerFact, periods: readonly PrimaryPeriod[]): VisitReportRow[] {
  const random = SeededRandom.for(context.seed, 'crm-visits', fact.id);
  if (periods.length === 0 || !random.chance(1 / 3)) return [];
  const topics = fact.kind === 'ORGANISATION' ? ORGANISATION_VISIT_TOPICS : INDIVIDUAL_VISIT_TOPICS;
  const rows: VisitReportRow[] = [];
  for (let monthsBack = VISIT_REPORT_MONTHS; monthsBack >= 1; monthsBack--) {
    const monthStart = new Date(Date.UTC(context.asOf.getUTCFullYear(), context.asOf.getUTCMonth() - monthsBack, 1));
    const monthEnd = new Date(Date.UTC(context.asOf.getUTCFullYear(), context.asOf.getUTCMonth() - monthsBack + 1, 0));
    const period = periods.find((entry) => entry.from <= monthEnd && (entry.to === null || entry.to >= monthEnd));
    if (!period) continue;
    const visitCount = random.int(1, fact.kind === 'ORGANISATION' ? 6 : 3);
    const summary = `${random.pick(VISIT_OPENINGS)}${visitCount}次，${random.pick(topics)}，${random.pick(VISIT_OUTCOMES)}`;
    // Written up on the month's last day or within the first days of the next, never after asOf.
    const submittedAt = random.between(new Date(monthEnd.getTime() + HOUR_MS), earliestOf(addDays(monthEnd, 4), context.asOf));
    rows.push({
      customer_id: fact.id,
      month: isoDate(monthStart).slice(0, 7),
      manager_staff_id: period.managerStaffId,
      visit_count: visitCount,
      summary,
      submitted_at: sqlTimestamp(submittedAt),
    });
  }
  return rows;
}

function staffInRole(context: BatchContext, role: StaffRole, branchId: number): StaffFact[] {
  const local = context.org.staffByRoleAndBranch(role, branchId);
  const parentId = context.branches.get(branchId)?.parentId ?? null;
  return local.length > 0 || parentId === null ? local : context.org.staffByRoleAndBranch(role, parentId);
}

/**
 * ACTIVE entries for the facts' blacklisted customers; for a few others an earlier LIFTED or EXPIRED
 * entry, or a PROPOSED one still waiting for its second approver.
 */
function blacklistRows(context: BatchContext, fact: CustomerFact): BlacklistEntryRow[] {
  const random = SeededRandom.for(context.seed, 'crm-blacklist', fact.id);
  if (!fact.blacklisted && !random.chance(0.05)) return [];
  const since = dateOf(fact.customerSince);
  const proposer = fact.primaryManagerStaffId ?? random.pick(staffInRole(context, 'OPERATOR', fact.branchId)).id;
  const approvers = staffInRole(context, 'SERVICE_CENTER_MANAGER', fact.branchId).filter((member) => member.id !== proposer);
  const approver = random.pick(
    approvers.length > 0 ? approvers : staffInRole(context, 'SERVICE_CENTER_MANAGER', context.branches.get(fact.branchId)!.parentId!),
  ).id;
  const entry = (
    status: BlacklistStatus,
    proposedAt: Date,
    times: Partial<Record<'activated_at' | 'lifted_at' | 'expired_at', Date>>,
    reviewDue: Date | null,
  ): BlacklistEntryRow => ({
    id: fact.id * 10 + 1,
    customer_id: fact.id,
    status,
    reason: random.pick(BLACKLIST_REASONS),
    proposed_by_staff_id: proposer,
    approved_by_staff_id: times.activated_at ? approver : null,
    proposed_at: sqlTimestamp(proposedAt),
    activated_at: times.activated_at ? sqlTimestamp(times.activated_at) : null,
    lifted_at: times.lifted_at ? sqlTimestamp(times.lifted_at) : null,
    expired_at: times.expired_at ? sqlTimestamp(times.expired_at) : null,
    review_due: reviewDue ? isoDate(reviewDue) : null,
    // The database holds one open (PROPOSED or ACTIVE) entry per customer; each customer has one entry at most here.
    open_customer_id: status === 'PROPOSED' || status === 'ACTIVE' ? fact.id : null,
  });
  const proposedWithin = (from: Date, to: Date) => random.between(latestOf(from, new Date(since.getTime() + HOUR_MS)), to);
  const approvalDelay = () => random.int(1, 10) * DAY_MS + random.int(1, 8) * HOUR_MS;

  if (fact.blacklisted) {
    const proposedAt = proposedWithin(addDays(context.asOf, -3 * 365), addDays(context.asOf, -12));
    const activatedAt = new Date(proposedAt.getTime() + approvalDelay());
    // Reviewed yearly: the next anniversary of activation after asOf.
    const reviewDue = new Date(activatedAt);
    while (reviewDue <= context.asOf) reviewDue.setUTCFullYear(reviewDue.getUTCFullYear() + 1);
    return [entry('ACTIVE', proposedAt, { activated_at: activatedAt }, reviewDue)];
  }
  const status = random.weighted(HISTORY_STATUS_WEIGHTS);
  const historyStart = latestOf(since, addDays(context.asOf, -5 * 365));
  if (status === 'LIFTED' && historyStart < addDays(context.asOf, -60)) {
    const proposedAt = proposedWithin(historyStart, addDays(context.asOf, -60));
    const activatedAt = new Date(proposedAt.getTime() + approvalDelay());
    const liftedAt = random.between(addDays(activatedAt, 30), earliestOf(addDays(activatedAt, 360), addDays(context.asOf, -1)));
    return [entry('LIFTED', proposedAt, { activated_at: activatedAt, lifted_at: liftedAt }, null)];
  }
  if (status === 'EXPIRED' && historyStart < addDays(context.asOf, -400)) {
    const proposedAt = proposedWithin(historyStart, addDays(context.asOf, -400));
    const activatedAt = new Date(proposedAt.getTime() + approvalDelay());
    // Not renewed at its first yearly review.
    const expiredAt = new Date(activatedAt);
    expiredAt.setUTCFullYear(expiredAt.getUTCFullYear() + 1);
    return [entry('EXPIRED', proposedAt, { activated_at: activatedAt, expired_at: expiredAt }, null)];
  }
  return [entry('PROPOSED', proposedWithin(addDays(context.asOf, -30), addDays(context.asOf, -1)), {}, null)];
}

interface CurrentValues {
  mobile: string;
  email: string | null;
  fullAddress: string;
  occupation: string | null;
  incomeBand: IncomeBand | null;
  marketingConsent: boolean;
}

/** The value an APPROVED request proposed is the record's current value; others propose something else. */
function proposedValue(random: SeededRandom, field: ChangeRequestField, approved: boolean, current: CurrentValues, fact: CustomerFact): string {
  switch (field) {
    case 'MOBILE':
      return approved ? current.mobile : generateMobile(random);
    case 'EMAIL':
      return approved && current.email ? current.email : fact.kind === 'ORGANISATION' ? organisationEmail(random) : personalEmail(random);
    case 'ADDRESS':
      return approved ? current.fullAddress : formatFullAddress(fact.province, fact.city, homeLine(random, fact.city));
    case 'OCCUPATION':
      return approved && current.occupation ? current.occupation : random.pick(OCCUPATIONS.filter((occupation) => occupation !== current.occupation));
    case 'INCOME_BAND':
      return approved && current.incomeBand ? current.incomeBand : random.pick(INCOME_BANDS.filter((band) => band !== current.incomeBand));
    case 'MARKETING_CONSENT':
      return String(approved ? current.marketingConsent : !current.marketingConsent);
    default:
      // The seeded requests change the fields listed in PERSON_/ORGANISATION_CHANGE_FIELDS only.
      throw new Error(`no seeded value for a ${field} change`);
  }
}

/** A few changes entered by the current primary manager, some still with the branch's operators. */
function changeRequestRows(context: BatchContext, fact: CustomerFact, periods: readonly PrimaryPeriod[], current: CurrentValues): ChangeRequestRow[] {
  const random = SeededRandom.for(context.seed, 'crm-changes', fact.id);
  const primary = periods[periods.length - 1];
  const operators = staffInRole(context, 'OPERATOR', fact.branchId);
  if (!primary || operators.length === 0 || !random.chance(0.06)) return [];
  const fields = (fact.kind === 'ORGANISATION' ? ORGANISATION_CHANGE_FIELDS : PERSON_CHANGE_FIELDS).filter(
    (field) => field !== 'EMAIL' || current.email !== null,
  );
  const rows: ChangeRequestRow[] = [];
  const count = random.chance(0.25) ? 2 : 1;
  for (let index = 1; index <= count; index++) {
    const status = random.weighted(CHANGE_STATUS_WEIGHTS);
    const pending = status === 'SUBMITTED' || status === 'RETURNED';
    const windowStart = latestOf(primary.from, addDays(context.asOf, pending ? -45 : -730));
    if (windowStart >= addDays(context.asOf, -1)) continue;
    const submittedAt = random.between(windowStart, addDays(context.asOf, -1));
    const reviewedAt =
      status === 'SUBMITTED' ? null : random.between(new Date(submittedAt.getTime() + HOUR_MS), earliestOf(addDays(submittedAt, 5), context.asOf));
    const field = random.pick(fields);
    rows.push({
      id: fact.id * 10 + index,
      customer_id: fact.id,
      field,
      proposed_value: proposedValue(random, field, status === 'APPROVED', current, fact),
      status,
      submitted_by_staff_id: primary.managerStaffId,
      submitted_at: sqlTimestamp(submittedAt),
      reviewed_by_staff_id: reviewedAt ? random.pick(operators).id : null,
      reviewed_at: reviewedAt ? sqlTimestamp(reviewedAt) : null,
    });
  }
  return rows;
}

function creditRating(random: SeededRandom, fact: CustomerFact): CreditRating | null {
  if (fact.blacklisted) return random.chance(0.6) ? 'C' : 'B';
  // Prospects are often not rated yet.
  if (fact.primaryManagerStaffId === null && random.chance(0.4)) return null;
  return random.weighted(CREDIT_RATING_WEIGHTS);
}

function elaborateCustomer(context: BatchContext, fact: CustomerFact, earlierOrganisations: readonly BusinessProfileRow[]): CustomerRows {
  const random = SeededRandom.for(context.seed, 'crm-profile', fact.id);
  const person = fact.kind === 'INDIVIDUAL';
  const email = random.chance(person ? 0.7 : 0.85) ? (person ? personalEmail(random) : organisationEmail(random)) : null;
  const occupation = person ? random.pick(OCCUPATIONS) : null;
  const incomeBand = person ? random.weighted(INCOME_BAND_WEIGHTS) : null;
  const doNotSolicit = random.chance(0.06);
  const marketingConsent = !doNotSolicit && random.chance(0.7);
  // Opened during office hours in Beijing (UTC+8).
  const createdAt = new Date(dateOf(fact.customerSince).getTime() + random.int(1 * 3_600, 10 * 3_600) * 1_000);
  const addresses = addressRows(context, fact);
  const managerRandom = SeededRandom.for(context.seed, 'crm-managers', fact.id);
  const periods = primaryPeriods(context, fact, managerRandom);
  const mainAddress = addresses[0]!;
  const changeRequests = changeRequestRows(context, fact, periods, {
    mobile: fact.mobile,
    email,
    fullAddress: formatFullAddress(mainAddress.province, mainAddress.city, mainAddress.line),
    occupation,
    incomeBand,
    marketingConsent,
  });
  const approvals = changeRequests.filter((request) => request.status === 'APPROVED').map((request) => new Date(`${request.reviewed_at!.replace(' ', 'T')}Z`));
  // The record was last touched at its latest approved change, or at some point since it was opened.
  const updatedAt = latestOf(random.between(createdAt, context.asOf), ...approvals);
  return {
    customer: {
      id: fact.id,
      customer_no: fact.customerNo,
      kind: fact.kind,
      name: fact.name,
      gender: fact.gender,
      birth_date: fact.birthDate,
      id_type: fact.idType,
      id_number: fact.idNumber,
      mobile: fact.mobile,
      email,
      occupation,
      income_band: incomeBand,
      credit_rating: creditRating(random, fact),
      customer_since: fact.customerSince,
      do_not_solicit: doNotSolicit,
      marketing_consent: marketingConsent,
      blacklisted: fact.blacklisted,
      branch_id: fact.branchId,
      branch_path: fact.branchPath,
      customer_manager_staff_id: fact.primaryManagerStaffId,
      created_at: sqlTimestamp(createdAt),
      updated_at: sqlTimestamp(updatedAt),
      version: 1,
    },
    addresses,
    householdMembers: householdRows(context, fact),
    businessProfile: businessProfileRow(context, fact, earlierOrganisations),
    managerAssignments: managerAssignmentRows(context, fact, periods, managerRandom),
    visitReports: visitReportRows(context, fact, periods),
    blacklistEntries: blacklistRows(context, fact),
    changeRequests,
  };
}

async function seedBatch(db: Knex, batch: SeedBatch): Promise<void> {
  const context: BatchContext = {
    seed: batch.seed,
    asOf: batch.asOf,
    org: batch.org,
    branches: new Map(batch.org.branches.map((branch) => [branch.id, branch])),
    staff: new Map(batch.org.staff.map((member) => [member.id, member])),
  };
  const tables = {
    customers: [] as CustomerRow[],
    customer_addresses: [] as AddressRow[],
    household_members: [] as HouseholdMemberRow[],
    business_profiles: [] as BusinessProfileRow[],
    manager_assignments: [] as ManagerAssignmentRow[],
    visit_reports: [] as VisitReportRow[],
    blacklist_entries: [] as BlacklistEntryRow[],
    customer_change_requests: [] as ChangeRequestRow[],
    major_customer_events: batch.customers.flatMap((fact) => majorEventRows(batch.seed, batch.asOf, fact)),
    customer_premium_ledger: premiumLedgerRows(batch.policies),
  };
  for (const fact of [...batch.customers].sort((a, b) => a.id - b.id)) {
    const rows = elaborateCustomer(context, fact, tables.business_profiles);
    tables.customers.push(rows.customer);
    tables.customer_addresses.push(...rows.addresses);
    tables.household_members.push(...rows.householdMembers);
    if (rows.businessProfile) tables.business_profiles.push(rows.businessProfile);
    tables.manager_assignments.push(...rows.managerAssignments);
    tables.visit_reports.push(...rows.visitReports);
    tables.blacklist_entries.push(...rows.blacklistEntries);
    tables.customer_change_requests.push(...rows.changeRequests);
  }
  // Parents first (customers), in the order the foreign keys need.
  for (const [table, rows] of Object.entries(tables)) await insertInChunks<object>(db, table, rows);
  await countCustomers(
    db,
    tables.customers.map((row) => ({ group: countGroupOf(row), delta: 1 })),
  );
}

/**
 * The premium ledger as the policy events would have kept it (large-customers.ts): every policy the batch's
 * policy admin system bound, its premium counting unless the policy is cancelled.
 */
function premiumLedgerRows(policies: readonly PolicyFact[]): PremiumLedgerRow[] {
  return policies
    .filter((policy) => policy.status !== 'QUOTED')
    .map((policy) => ({
      policy_no: policy.policyNo,
      customer_id: policy.customerId,
      effective_date: policy.effectiveDate,
      written_premium: policy.writtenPremium,
      counts: policy.status !== 'CANCELLED',
    }));
}

export const customersSeeder: SubgraphSeeder = {
  name: 'customers',
  tables: [
    // Kept from the policy admin system's events; no foreign keys.
    PREMIUM_LEDGER_TABLE,
    // Kept with the customers, emptied with them.
    CUSTOMER_COUNTS_TABLE,
    'major_customer_events',
    // Written by record maintenance only (README "Mutations"); emptied first, as it refers to customers.
    'customer_versions',
    'customer_change_requests',
    'blacklist_entries',
    'visit_reports',
    'manager_assignments',
    'business_profiles',
    'household_members',
    'customer_addresses',
    'customers',
    'manager_grade_changes',
    'manager_grade_history',
    'staff',
    'branches',
  ],
  seedReference,
  seedBatch,
};
