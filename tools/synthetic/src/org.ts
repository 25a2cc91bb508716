import type { BranchLevel, Gender, ManagerGrade, StaffRole } from '@icg/shared';
import { AREA_CODES, type AreaCode } from './china-formats';
import { chineseName } from './names';
import { SeededRandom } from './random';

// Kept for the seeded-staff lookup and the tests that import these from here; the lists live in @icg/shared.

export interface BranchFact {
  id: number;
  code: string;
  name: string;
  level: BranchLevel;
  parentId: number | null;
  /** Materialised path: `/1/`, `/1/2/`, `/1/2/6/`. A branch's subtree is every path that starts with its own. */
  path: string;
  province: string;
  city: string | null;
  areaCode: string;
}

export interface StaffFact {
  id: number;
  staffNo: string;
  name: string;
  gender: Gender;
  role: StaffRole;
  branchId: number;
  branchPath: string;
  /** Customer managers only. */
  grade: ManagerGrade | null;
  hiredOn: string;
}

export interface OrgFacts {
  branches: BranchFact[];
  staff: StaffFact[];
  /** City branches, where customers are owned. */
  cityBranches: BranchFact[];
  managersByBranch: Map<number, StaffFact[]>;
  staffByRoleAndBranch(role: StaffRole, branchId: number): StaffFact[];
}

/** Four provinces with three cities each, drawn from the area-code table. */
const PROVINCES: readonly { province: string; cities: readonly string[] }[] = [
  { province: '广东省', cities: ['440305', '440106', '440604'] },
  { province: '浙江省', cities: ['330106', '330203', '330302'] },
  { province: '江苏省', cities: ['320102', '320506', '320214'] },
  { province: '四川省', cities: ['510107', '510703', '511302'] },
];

function areaFor(code: string): AreaCode {
  return AREA_CODES.find((area) => area.code === code) ?? { code, province: '', city: '', district: '' };
}

/** Staff per city branch, by role; grades spread so every grade exists in every city. */
const CITY_STAFFING: readonly (readonly [StaffRole, number])[] = [
  ['CUSTOMER_MANAGER', 8],
  ['OPERATOR', 2],
  ['SERVICE_CENTER_MANAGER', 1],
  ['CLAIMS_ADJUSTER', 3],
  ['COMPLAINT_OFFICER', 1],
];
const PROVINCE_STAFFING: readonly (readonly [StaffRole, number])[] = [
  ['EXECUTIVE', 1],
  ['SERVICE_CENTER_MANAGER', 1],
  ['COMPLAINT_OFFICER', 1],
  ['CLAIMS_ADJUSTER', 1],
];
const HEAD_OFFICE_STAFFING: readonly (readonly [StaffRole, number])[] = [
  ['EXECUTIVE', 1],
  ['HOTLINE_AGENT', 6],
  ['BI_ANALYST', 2],
  ['AUDITOR', 2],
  ['COMPLAINT_OFFICER', 1],
];
const GRADE_CYCLE: readonly ManagerGrade[] = ['SENIOR', 'PRINCIPAL', 'REGULAR', 'REGULAR', 'JUNIOR', 'REGULAR', 'TRAINEE', 'PRINCIPAL'];

/** The company's org tree and staff. Independent of the number of customers, so ids are stable. */
export function generateOrg(seed: number): OrgFacts {
  const branches: BranchFact[] = [];
  const staff: StaffFact[] = [];
  const headArea = areaFor('110105');
  branches.push({
    id: 1,
    code: 'HO',
    name: '总公司',
    level: 'HEAD_OFFICE',
    parentId: null,
    path: '/1/',
    province: headArea.province,
    city: null,
    areaCode: '110000',
  });
  let nextBranchId = 2;
  PROVINCES.forEach((province, provinceIndex) => {
    const provinceId = nextBranchId++;
    const provincePath = `/1/${provinceId}/`;
    const firstCity = areaFor(province.cities[0]!);
    branches.push({
      id: provinceId,
      code: `P${provinceIndex + 1}`,
      name: `${province.province}分公司`,
      level: 'PROVINCE',
      parentId: 1,
      path: provincePath,
      province: province.province,
      city: null,
      areaCode: `${firstCity.code.slice(0, 2)}0000`,
    });
    province.cities.forEach((cityCode, cityIndex) => {
      const area = areaFor(cityCode);
      const cityId = nextBranchId++;
      branches.push({
        id: cityId,
        code: `P${provinceIndex + 1}C${cityIndex + 1}`,
        name: `${area.city}分公司`,
        level: 'CITY',
        parentId: provinceId,
        path: `${provincePath}${cityId}/`,
        province: province.province,
        city: area.city,
        areaCode: area.code,
      });
    });
  });

  let nextStaffId = 1;
  const addStaff = (branch: BranchFact, staffing: readonly (readonly [StaffRole, number])[]) => {
    for (const [role, count] of staffing) {
      for (let index = 0; index < count; index++) {
        const id = nextStaffId++;
        const random = SeededRandom.for(seed, 'staff', id);
        const gender = random.chance(0.5) ? 'MALE' : 'FEMALE';
        staff.push({
          id,
          staffNo: `S${String(id).padStart(5, '0')}`,
          name: chineseName([seed, 'staff', id], gender),
          gender,
          role,
          branchId: branch.id,
          branchPath: branch.path,
          grade: role === 'CUSTOMER_MANAGER' ? GRADE_CYCLE[index % GRADE_CYCLE.length]! : null,
          hiredOn: `${random.int(2008, 2023)}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`,
        });
      }
    }
  };
  for (const branch of branches) {
    addStaff(branch, branch.level === 'HEAD_OFFICE' ? HEAD_OFFICE_STAFFING : branch.level === 'PROVINCE' ? PROVINCE_STAFFING : CITY_STAFFING);
  }

  const managersByBranch = new Map<number, StaffFact[]>();
  const byRoleAndBranch = new Map<string, StaffFact[]>();
  for (const member of staff) {
    const key = `${member.role}@${member.branchId}`;
    byRoleAndBranch.set(key, [...(byRoleAndBranch.get(key) ?? []), member]);
    if (member.role === 'CUSTOMER_MANAGER') managersByBranch.set(member.branchId, [...(managersByBranch.get(member.branchId) ?? []), member]);
  }
  return {
    branches,
    staff,
    cityBranches: branches.filter((branch) => branch.level === 'CITY'),
    managersByBranch,
    staffByRoleAndBranch: (role, branchId) => byRoleAndBranch.get(`${role}@${branchId}`) ?? [],
  };
}

/** The branch's ancestors from head office down to the branch itself. */
export function branchLineage(org: OrgFacts, branchId: number): BranchFact[] {
  const byId = new Map(org.branches.map((branch) => [branch.id, branch]));
  const lineage: BranchFact[] = [];
  for (let branch = byId.get(branchId); branch; branch = branch.parentId === null ? undefined : byId.get(branch.parentId)) lineage.unshift(branch);
  return lineage;
}
