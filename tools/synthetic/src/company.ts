import { complaintNoFor, customerNoFor, policyNoFor, reportNoFor } from './business-numbers';
import { generateMobile, generateResidentId, generateUscc, generatePlate, AREA_CODES } from './china-formats';
import {
  addDays,
  CLAIM_STATUSES,
  COMPLAINT_CATEGORIES,
  COMPLAINT_STATUSES,
  isoDate,
  sqlTimestamp,
  type ClaimStatus,
  type ComplaintStatus,
  type LineOfBusiness,
  type PolicyStatus,
} from '@icg/shared';
import type { ClaimFact, ComplaintFact, CustomerFact, PolicyFact, SeedBatch } from './facts';
import { chineseName, fakerFor } from './names';
import type { BranchFact, OrgFacts, StaffFact } from './org';
import { SeededRandom } from './random';

/**
 * The synthetic company, generated as facts: who the customers are, which policies they hold,
 * which claims and complaints they raised. Every entity draws from its own seeded generator
 * (`SeededRandom.for(seed, kind, id)`), so the same seed gives the same company at any size and
 * batch boundaries change nothing. Ids nest (policy = customer × 100 + n, claim = policy × 100 + n),
 * which keeps them unique without counters shared across batches; business numbers are keyed permutations
 * of the ids (business-numbers.ts), so no number tells whose record it is.
 */

const DAY_MS = 86_400_000;

/** Premium ranges (yuan, per year) and sums insured by line, individual vs organisation. */
const LINE_PROFILE: Record<LineOfBusiness, { premium: [number, number]; orgPremium: [number, number]; sumInsured: [number, number] }> = {
  MOTOR: { premium: [1_800, 9_000], orgPremium: [5_000, 60_000], sumInsured: [80_000, 600_000] },
  PROPERTY: { premium: [300, 3_000], orgPremium: [8_000, 400_000], sumInsured: [200_000, 50_000_000] },
  CARGO: { premium: [500, 2_000], orgPremium: [5_000, 200_000], sumInsured: [100_000, 20_000_000] },
  LIABILITY: { premium: [200, 1_500], orgPremium: [6_000, 300_000], sumInsured: [500_000, 10_000_000] },
  ENGINEERING: { premium: [1_000, 5_000], orgPremium: [20_000, 1_200_000], sumInsured: [1_000_000, 200_000_000] },
  ACCIDENT_HEALTH: { premium: [100, 3_000], orgPremium: [10_000, 300_000], sumInsured: [50_000, 1_000_000] },
};

/** Plates carry the registering province's abbreviation. */
const PLATE_PROVINCE: Record<string, string> = { 广东省: '粤', 浙江省: '浙', 江苏省: '苏', 四川省: '川', 北京市: '京' };

/** Probability that a policy-year has a claim, by line. */
const CLAIM_RATE: Record<LineOfBusiness, number> = { MOTOR: 0.28, PROPERTY: 0.06, CARGO: 0.12, LIABILITY: 0.05, ENGINEERING: 0.08, ACCIDENT_HEALTH: 0.15 };

function cityAreaCode(branch: BranchFact): string {
  return AREA_CODES.some((area) => area.code === branch.areaCode) ? branch.areaCode : AREA_CODES[0]!.code;
}

function staffOf(org: OrgFacts, role: StaffFact['role'], branch: BranchFact, random: SeededRandom): StaffFact | null {
  const local = org.staffByRoleAndBranch(role, branch.id);
  if (local.length) return random.pick(local);
  const parent = branch.parentId === null ? [] : org.staffByRoleAndBranch(role, branch.parentId);
  return parent.length ? random.pick(parent) : null;
}

function generateCustomer(seed: number, asOf: Date, org: OrgFacts, id: number): CustomerFact {
  const random = SeededRandom.for(seed, 'customer', id);
  const kind = random.chance(0.85) ? 'INDIVIDUAL' : 'ORGANISATION';
  const branch = random.pick(org.cityBranches);
  const managers = org.managersByBranch.get(branch.id) ?? [];
  // Organisations, the larger accounts, go to principal-grade managers or above (DOMAIN.md section 2).
  const eligible = kind === 'ORGANISATION' ? managers.filter((manager) => manager.grade === 'SENIOR' || manager.grade === 'PRINCIPAL') : managers;
  const primaryManager = random.chance(0.9) && eligible.length ? random.pick(eligible) : null;
  const area = AREA_CODES.find((entry) => entry.code === cityAreaCode(branch))!;
  const customerSince = random.between(new Date(asOf.getTime() - 12 * 365 * DAY_MS), new Date(asOf.getTime() - 30 * DAY_MS));
  const base = {
    id,
    customerNo: customerNoFor(seed, id),
    kind,
    mobile: generateMobile(random),
    branchId: branch.id,
    branchPath: branch.path,
    primaryManagerStaffId: primaryManager?.id ?? null,
    province: area.province,
    city: area.city,
    customerSince: isoDate(customerSince),
    blacklisted: random.chance(0.01),
  } as const;
  if (kind === 'ORGANISATION') {
    return {
      ...base,
      name: fakerFor(seed, 'organisation', id).company.name(),
      idType: 'USCC',
      idNumber: generateUscc(random, { areaCode: area.code }),
      gender: null,
      birthDate: null,
    };
  }
  const gender = random.chance(0.5) ? 'MALE' : 'FEMALE';
  const birthDate = isoDate(random.between(new Date('1950-01-01T00:00:00Z'), new Date(asOf.getTime() - 19 * 365 * DAY_MS)));
  return {
    ...base,
    name: chineseName([seed, 'customer', id], gender),
    idType: 'RESIDENT_ID',
    idNumber: generateResidentId(random, { areaCode: area.code, birthDate, gender }),
    gender,
    birthDate,
  };
}

function statusOfPolicy(random: SeededRandom, effective: Date, expiry: Date, asOf: Date, renewed: boolean): PolicyStatus {
  if (effective > asOf) return random.chance(0.5) ? 'QUOTED' : 'BOUND';
  if (expiry <= asOf)
    return renewed
      ? 'RENEWED'
      : random.weighted([
          ['EXPIRED', 0.8],
          ['LAPSED', 0.2],
        ] as const);
  return random.weighted([
    ['IN_FORCE', 0.92],
    ['CANCELLED', 0.05],
    ['LAPSED', 0.03],
  ] as const);
}

/** Chains of yearly policies per line the customer holds: earlier ones RENEWED, the last one current. */
function generatePolicies(seed: number, asOf: Date, org: OrgFacts, customer: CustomerFact): PolicyFact[] {
  const random = SeededRandom.for(seed, 'policies', customer.id);
  const branch = org.branches.find((entry) => entry.id === customer.branchId)!;
  const lines: LineOfBusiness[] =
    customer.kind === 'INDIVIDUAL'
      ? [
          random.weighted([
            ['MOTOR', 0.6],
            ['ACCIDENT_HEALTH', 0.25],
            ['PROPERTY', 0.15],
          ] as const),
        ]
      : [random.pick(['PROPERTY', 'CARGO', 'LIABILITY', 'ENGINEERING', 'MOTOR'] as const)];
  if (random.chance(customer.kind === 'INDIVIDUAL' ? 0.35 : 0.7))
    lines.push(random.pick(['MOTOR', 'PROPERTY', 'ACCIDENT_HEALTH', 'LIABILITY', 'CARGO'] as const));
  const policies: PolicyFact[] = [];
  let sequence = 1;
  const since = new Date(`${customer.customerSince}T00:00:00Z`);
  for (const line of lines) {
    const plate = line === 'MOTOR' ? generatePlate(random, { province: PLATE_PROVINCE[customer.province] ?? '京', newEnergy: random.chance(0.2) }) : null;
    const profile = LINE_PROFILE[line];
    const [low, high] = customer.kind === 'ORGANISATION' ? profile.orgPremium : profile.premium;
    let effective = random.between(since, new Date(Math.max(since.getTime() + DAY_MS, asOf.getTime() - 30 * DAY_MS)));
    // Quotes and bound policies start in the future; most chains reach the present.
    const yearsAvailable = Math.max(1, Math.floor((asOf.getTime() - effective.getTime()) / (365 * DAY_MS)) + 1);
    const chainLength = Math.min(yearsAvailable, random.int(1, 5), 99 - sequence);
    let priorPolicyNo: string | null = null;
    for (let year = 0; year < chainLength; year++) {
      const id = customer.id * 100 + sequence++;
      const expiry = addDays(effective, 365);
      const renewed = year < chainLength - 1;
      const status = statusOfPolicy(random, effective, expiry, asOf, renewed);
      const policyNo = policyNoFor(seed, id, line);
      policies.push({
        id,
        policyNo,
        customerId: customer.id,
        lineOfBusiness: line,
        status,
        effectiveDate: isoDate(effective),
        expiryDate: isoDate(expiry),
        sumInsured: Math.round(random.amount(profile.sumInsured[0], profile.sumInsured[1]) / 1000) * 1000,
        writtenPremium: random.amount(low, high),
        branchId: branch.id,
        branchPath: branch.path,
        servicingManagerStaffId: customer.primaryManagerStaffId,
        priorPolicyNo,
        plate,
      });
      priorPolicyNo = policyNo;
      if (!renewed) break;
      effective = expiry;
    }
    if (random.chance(0.08) && sequence < 99) {
      // A quote for next year's cover, not yet bound.
      const id = customer.id * 100 + sequence++;
      const start = addDays(asOf, random.int(5, 60));
      policies.push({
        id,
        policyNo: policyNoFor(seed, id, line),
        customerId: customer.id,
        lineOfBusiness: line,
        status: random.chance(0.5) ? 'QUOTED' : 'BOUND',
        effectiveDate: isoDate(start),
        expiryDate: isoDate(addDays(start, 365)),
        sumInsured: Math.round(random.amount(profile.sumInsured[0], profile.sumInsured[1]) / 1000) * 1000,
        writtenPremium: random.amount(low, high),
        branchId: branch.id,
        branchPath: branch.path,
        servicingManagerStaffId: customer.primaryManagerStaffId,
        priorPolicyNo: priorPolicyNo,
        plate,
      });
    }
  }
  return policies;
}

/** A claim's status follows its age: old claims are settled, recent ones are somewhere on the path. */
function statusOfClaim(random: SeededRandom, ageDays: number): ClaimStatus {
  if (ageDays > 120) {
    return random.weighted([
      ['CLOSED', 0.72],
      ['DENIED', 0.06],
      ['WITHDRAWN', 0.05],
      ['CANCELLED', 0.04],
      ['ZERO_CLOSED', 0.08],
      ['REOPENED', 0.03],
      ['PAID', 0.02],
    ] as const);
  }
  const open = CLAIM_STATUSES.slice(0, 9) as readonly ClaimStatus[];
  const progress = Math.min(open.length - 1, Math.floor((ageDays / 120) * open.length + random.int(-2, 2)));
  return random.chance(0.15) ? random.pick(['CLOSED', 'WITHDRAWN', 'ZERO_CLOSED', 'DENIED', 'CANCELLED'] as const) : open[Math.max(0, progress)]!;
}

function generateClaims(seed: number, asOf: Date, org: OrgFacts, customer: CustomerFact, policies: readonly PolicyFact[]): ClaimFact[] {
  const claims: ClaimFact[] = [];
  const frequentClaimer = SeededRandom.for(seed, 'claimer', customer.id).chance(0.02);
  for (const policy of policies) {
    if (policy.status === 'QUOTED' || policy.status === 'BOUND') continue;
    const random = SeededRandom.for(seed, 'claims', policy.id);
    const start = new Date(`${policy.effectiveDate}T00:00:00Z`);
    const end = new Date(Math.min(new Date(`${policy.expiryDate}T00:00:00Z`).getTime(), asOf.getTime() - DAY_MS));
    if (end <= start) continue;
    let count = 0;
    const rate = CLAIM_RATE[policy.lineOfBusiness] * (frequentClaimer ? 8 : 1);
    while (count < 6 && random.chance(count === 0 ? Math.min(rate, 0.95) : rate / 2)) count++;
    const branch = org.branches.find((entry) => entry.id === policy.branchId)!;
    for (let index = 1; index <= count; index++) {
      const id = policy.id * 100 + index;
      const lossDate = random.between(start, end);
      const reportedAt = new Date(Math.min(lossDate.getTime() + random.int(1, 72 * 60) * 60_000, asOf.getTime() - 60_000));
      const ageDays = (asOf.getTime() - reportedAt.getTime()) / DAY_MS;
      claims.push({
        id,
        reportNo: reportNoFor(seed, id),
        policyNo: policy.policyNo,
        customerId: customer.id,
        status: statusOfClaim(random, ageDays),
        lossDate: isoDate(lossDate),
        reportedAt: sqlTimestamp(reportedAt),
        reportChannel: random.weighted([
          ['HOTLINE', 0.55],
          ['APP', 0.2],
          ['AGENT', 0.12],
          ['WECHAT', 0.08],
          ['COUNTER', 0.05],
        ] as const),
        handlerStaffId: staffOf(org, 'CLAIMS_ADJUSTER', branch, random)?.id ?? null,
        branchId: branch.id,
        branchPath: branch.path,
        customerManagerStaffId: customer.primaryManagerStaffId,
      });
    }
  }
  return claims;
}

/**
 * Four in ten complaints are still open: their status is drawn first and their age follows from it
 * (a few days per step), so every workflow step is represented. The rest are closed and older.
 */
function complaintTimeline(random: SeededRandom, asOf: Date, earliest: Date): { status: ComplaintStatus; acceptedAt: Date } {
  const latest = new Date(asOf.getTime() - 3_600_000);
  if (random.chance(0.4)) {
    const open = COMPLAINT_STATUSES.filter((status) => status !== 'ARCHIVED');
    const status = random.pick(open);
    const ageDays = open.indexOf(status) * random.int(1, 4) + random.next() * 2;
    const acceptedAt = new Date(Math.min(latest.getTime(), Math.max(earliest.getTime() + 3_600_000, asOf.getTime() - ageDays * DAY_MS)));
    return { status, acceptedAt };
  }
  const acceptedAt = random.between(
    new Date(Math.max(earliest.getTime(), asOf.getTime() - 540 * DAY_MS)),
    new Date(Math.max(earliest.getTime() + 3_600_000, asOf.getTime() - 60 * DAY_MS)),
  );
  return { status: random.chance(0.95) ? 'ARCHIVED' : 'FEEDBACK_GIVEN', acceptedAt: new Date(Math.min(acceptedAt.getTime(), latest.getTime())) };
}

function generateComplaints(
  seed: number,
  asOf: Date,
  org: OrgFacts,
  customer: CustomerFact,
  policies: readonly PolicyFact[],
  claims: readonly ClaimFact[],
): ComplaintFact[] {
  const random = SeededRandom.for(seed, 'complaints', customer.id);
  const count = random.chance(0.04) ? (random.chance(0.15) ? 2 : 1) : 0;
  const complaints: ComplaintFact[] = [];
  const branch = org.branches.find((entry) => entry.id === customer.branchId)!;
  for (let index = 1; index <= count; index++) {
    const id = customer.id * 10 + index;
    const claim = claims.length && random.chance(0.5) ? random.pick(claims) : null;
    const policy = claim ? (policies.find((entry) => entry.policyNo === claim.policyNo) ?? null) : policies.length ? random.pick(policies) : null;
    const category = claim ? 'CLAIMS' : random.pick(COMPLAINT_CATEGORIES.filter((entry) => entry !== 'CLAIMS'));
    const earliest = claim ? new Date(`${claim.reportedAt.replace(' ', 'T')}Z`) : new Date(asOf.getTime() - 540 * DAY_MS);
    const { status, acceptedAt } = complaintTimeline(random, asOf, earliest);
    const respondent = claim ? org.branches.find((entry) => entry.id === claim.branchId)! : branch;
    complaints.push({
      id,
      complaintNo: complaintNoFor(seed, id),
      customerId: customer.id,
      policyNo: policy?.policyNo ?? null,
      reportNo: claim?.reportNo ?? null,
      acceptedAt: sqlTimestamp(acceptedAt),
      source: random.weighted([
        ['HOTLINE', 0.45],
        ['DIRECT', 0.2],
        ['REGULATOR_TRANSFER', 0.15],
        ['ONLINE', 0.1],
        ['LETTER', 0.06],
        ['MEDIA', 0.04],
      ] as const),
      status,
      category,
      handlerStaffId: staffOf(org, 'COMPLAINT_OFFICER', respondent, random)?.id ?? null,
      branchId: respondent.id,
      branchPath: respondent.path,
    });
  }
  return complaints;
}

export interface CompanyBatchRequest {
  seed: number;
  asOf: Date;
  org: OrgFacts;
  firstCustomerId: number;
  lastCustomerId: number;
}

/** Facts for customers firstCustomerId..lastCustomerId and everything they hold. */
export function generateCompanyBatch(request: CompanyBatchRequest): SeedBatch {
  const batch: SeedBatch = { ...request, customers: [], policies: [], claims: [], complaints: [] };
  for (let id = request.firstCustomerId; id <= request.lastCustomerId; id++) {
    const customer = generateCustomer(request.seed, request.asOf, request.org, id);
    const policies = generatePolicies(request.seed, request.asOf, request.org, customer);
    const claims = generateClaims(request.seed, request.asOf, request.org, customer, policies);
    batch.customers.push(customer);
    batch.policies.push(...policies);
    batch.claims.push(...claims);
    batch.complaints.push(...generateComplaints(request.seed, request.asOf, request.org, customer, policies, claims));
  }
  return batch;
}
