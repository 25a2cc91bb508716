import {
  isValidMobile,
  isValidResidentId,
  isValidUscc,
  MANAGER_GRADES,
  openDatabase,
  residentIdBirthDate,
  residentIdGender,
  sqlTimestamp,
  STAFF_ROLES,
  type Knex,
} from '@icg/shared';
import { DEFAULT_AS_OF, DEFAULT_SEED, seedStores } from '@icg/synthetic';
import { startSeededSubgraph, type SeededSubgraph } from '../../../../tests/support/seeded-subgraph';
import { createTestDatabases, TEST_DIALECTS, type TestDatabases } from '../../../../tests/support/test-database';
import { formatFullAddress } from '../records';
import { customersSeeder } from '../seed';
import { TEST_STORE } from './test-store';

/** One batch of the default size, as a real seed writes it. */
const CUSTOMERS = 1_000;
const AS_OF = sqlTimestamp(DEFAULT_AS_OF);
const AS_OF_DAY = AS_OF.slice(0, 10);
const DAY_MS = 86_400_000;

type Row = Record<string, unknown>;
const text = (value: unknown): string => String(value);
const flag = (value: unknown): boolean => value === true || value === 1;
const nextDay = (day: string): string => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
/** YYYY-MM → the month's last day, YYYY-MM-DD. */
const lastDayOf = (month: string): string => new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).toISOString().slice(0, 10);

function groupBy(rows: readonly Row[], column: string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) groups.set(text(row[column]), [...(groups.get(text(row[column])) ?? []), row]);
  return groups;
}

/** Every table's rows in key order, for comparing two stores. */
async function dumpStore(db: Knex): Promise<Record<string, Row[]>> {
  const orderBy: Record<string, string[]> = {
    customer_addresses: ['customer_id', 'kind'],
    household_members: ['customer_id', 'member_no'],
    business_profiles: ['customer_id'],
    visit_reports: ['customer_id', 'month'],
    manager_grade_history: ['staff_id', 'year'],
    customer_versions: ['customer_id', 'version'],
    customer_premium_ledger: ['policy_no'],
    customer_counts: ['branch_path', 'kind', 'blacklisted'],
  };
  const dump: Record<string, Row[]> = {};
  for (const table of customersSeeder.tables)
    dump[table] = (await db
      .table(table)
      .select('*')
      .orderBy(orderBy[table] ?? ['id'])) as Row[];
  return dump;
}

describe.each(TEST_DIALECTS)('seeded CRM data on %s', (dialect) => {
  let crm: SeededSubgraph;
  let store: Record<string, Row[]>;
  beforeAll(async () => {
    crm = await startSeededSubgraph({ ...TEST_STORE, dialect, customers: CUSTOMERS });
    store = await dumpStore(crm.running.db);
  }, 120_000);
  afterAll(async () => crm?.close());

  it("writes each customer fact as the customer's record", () => {
    const expected = crm.facts.customers.map((fact) => ({
      id: fact.id,
      customer_no: fact.customerNo,
      kind: fact.kind,
      name: fact.name,
      id_type: fact.idType,
      id_number: fact.idNumber,
      mobile: fact.mobile,
      gender: fact.gender,
      birth_date: fact.birthDate,
      branch_id: fact.branchId,
      branch_path: fact.branchPath,
      customer_manager_staff_id: fact.primaryManagerStaffId,
      customer_since: fact.customerSince,
      blacklisted: fact.blacklisted,
    }));
    const written = store['customers']!.map((row) => ({
      id: Number(row['id']),
      customer_no: row['customer_no'],
      kind: row['kind'],
      name: row['name'],
      id_type: row['id_type'],
      id_number: row['id_number'],
      mobile: row['mobile'],
      gender: row['gender'],
      birth_date: row['birth_date'],
      branch_id: Number(row['branch_id']),
      branch_path: row['branch_path'],
      customer_manager_staff_id: row['customer_manager_staff_id'] === null ? null : Number(row['customer_manager_staff_id']),
      customer_since: row['customer_since'],
      blacklisted: flag(row['blacklisted']),
    }));
    expect(written).toEqual(expected);
  });

  it('uses valid Chinese formats and Chinese names', () => {
    const chineseName = /^[\u4e00-\u9fa5]{2,4}$/;
    for (const customer of store['customers']!) {
      expect(isValidMobile(text(customer['mobile']))).toBe(true);
      if (customer['email'] !== null) expect(text(customer['email'])).toMatch(/^[a-z0-9._]+@[a-z0-9-]+(\.[a-z]+)+$/);
      if (customer['kind'] === 'INDIVIDUAL') {
        const idNumber = text(customer['id_number']);
        expect(isValidResidentId(idNumber, DEFAULT_AS_OF)).toBe(true);
        expect([residentIdGender(idNumber), residentIdBirthDate(idNumber)]).toEqual([customer['gender'], customer['birth_date']]);
        expect(text(customer['name'])).toMatch(chineseName);
      } else {
        expect(isValidUscc(text(customer['id_number']))).toBe(true);
      }
    }
    for (const member of store['household_members']!) expect(text(member['name'])).toMatch(chineseName);
    for (const profile of store['business_profiles']!) expect(text(profile['legal_representative'])).toMatch(chineseName);
    for (const member of store['staff']!) expect(text(member['name'])).toMatch(chineseName);
    for (const address of store['customer_addresses']!) expect(text(address['line'])).toMatch(/^[\u4e00-\u9fa5]+区?.*\d+号/);
    for (const request of store['customer_change_requests']!.filter((row) => row['field'] === 'MOBILE'))
      expect(isValidMobile(text(request['proposed_value']))).toBe(true);
  });

  it('covers every value of every closed set', () => {
    const values = (table: string, column: string) => new Set(store[table]!.map((row) => text(row[column])));
    expect(values('customers', 'kind')).toEqual(new Set(['INDIVIDUAL', 'ORGANISATION']));
    expect(values('customers', 'income_band')).toEqual(new Set(['UNDER_60K', 'FROM_60K_TO_120K', 'FROM_120K_TO_300K', 'FROM_300K_TO_1M', 'OVER_1M', 'null']));
    expect(values('customers', 'credit_rating')).toEqual(new Set(['AAA', 'AA', 'A', 'BBB', 'BB', 'B', 'C', 'null']));
    expect(values('customer_addresses', 'kind')).toEqual(new Set(['HOME', 'WORK', 'MAILING', 'REGISTERED', 'OPERATING']));
    expect(values('household_members', 'relationship')).toEqual(new Set(['SELF', 'SPOUSE', 'CHILD', 'PARENT', 'SIBLING']));
    expect(values('blacklist_entries', 'status')).toEqual(new Set(['PROPOSED', 'ACTIVE', 'LIFTED', 'EXPIRED']));
    expect(values('customer_change_requests', 'status')).toEqual(new Set(['SUBMITTED', 'RETURNED', 'APPROVED', 'REJECTED']));
    expect(values('customer_change_requests', 'field')).toEqual(new Set(['MOBILE', 'EMAIL', 'ADDRESS', 'OCCUPATION', 'INCOME_BAND', 'MARKETING_CONSENT']));
    expect(values('manager_grade_history', 'grade')).toEqual(new Set(MANAGER_GRADES));
    expect(values('manager_grade_history', 'approved_by_level')).toEqual(new Set(['CITY', 'PROVINCE']));
    expect(values('staff', 'role')).toEqual(new Set(STAFF_ROLES));
    expect(values('manager_assignments', 'is_primary').size).toBe(2);
  });

  it('keeps the customer record and the manager history in agreement', () => {
    const staff = new Map(store['staff']!.map((row) => [text(row['id']), row]));
    const assignments = groupBy(store['manager_assignments']!, 'customer_id');
    for (const customer of store['customers']!) {
      const history = assignments.get(text(customer['id'])) ?? [];
      const current = history.filter((row) => row['current_primary_customer_id'] !== null);
      expect(current.map((row) => text(row['manager_staff_id']))).toEqual(
        customer['customer_manager_staff_id'] === null ? [] : [text(customer['customer_manager_staff_id'])],
      );
      const primaries = history.filter((row) => flag(row['is_primary']));
      primaries.forEach((row, index) => {
        const manager = staff.get(text(row['manager_staff_id']))!;
        expect([manager['role'], text(manager['branch_id'])]).toEqual(['CUSTOMER_MANAGER', text(customer['branch_id'])]);
        expect(text(row['assigned_from']) >= text(customer['customer_since'])).toBe(true);
        expect(text(row['assigned_from']) >= text(manager['hired_on'])).toBe(true);
        // One period ends the day before the next begins; only the last is open.
        if (index < primaries.length - 1) expect(nextDay(text(row['assigned_to']))).toBe(text(primaries[index + 1]!['assigned_from']));
        else expect(row['assigned_to']).toBeNull();
      });
      for (const row of history) if (row['assigned_to'] !== null) expect(text(row['assigned_to']) >= text(row['assigned_from'])).toBe(true);
      expect(text(customer['created_at']).startsWith(text(customer['customer_since']))).toBe(true);
      expect(text(customer['updated_at']) >= text(customer['created_at']) && text(customer['updated_at']) <= AS_OF).toBe(true);
    }
    expect([...assignments.values()].some((history) => history.filter((row) => flag(row['is_primary'])).length > 1)).toBe(true);
  });

  it('runs the blacklist workflow in order, ACTIVE exactly for the blacklisted', () => {
    const customers = new Map(store['customers']!.map((row) => [text(row['id']), row]));
    const activeFor = new Set<string>();
    for (const entry of store['blacklist_entries']!) {
      const customer = customers.get(text(entry['customer_id']))!;
      const [proposed, activated, lifted, expired] = ['proposed_at', 'activated_at', 'lifted_at', 'expired_at'].map((column) =>
        entry[column] === null ? null : text(entry[column]),
      );
      expect(proposed! >= text(customer['customer_since']) && proposed! <= AS_OF).toBe(true);
      expect({
        status: entry['status'],
        activated: activated !== null,
        approved: entry['approved_by_staff_id'] !== null,
        lifted: lifted !== null,
        expired: expired !== null,
        reviewDue: entry['review_due'] !== null,
      }).toEqual({
        status: entry['status'],
        activated: entry['status'] !== 'PROPOSED',
        approved: entry['status'] !== 'PROPOSED',
        lifted: entry['status'] === 'LIFTED',
        expired: entry['status'] === 'EXPIRED',
        reviewDue: entry['status'] === 'ACTIVE',
      });
      if (activated) expect(activated > proposed!).toBe(true);
      for (const end of [lifted, expired]) if (end) expect(end > activated! && end <= AS_OF).toBe(true);
      if (entry['status'] === 'ACTIVE') {
        activeFor.add(text(entry['customer_id']));
        expect(text(entry['review_due']) > AS_OF_DAY).toBe(true);
      }
      if (entry['approved_by_staff_id'] !== null) expect(entry['approved_by_staff_id']).not.toEqual(entry['proposed_by_staff_id']);
      // The one open entry a customer may have is marked for the database's unique index.
      expect(entry['open_customer_id'] === null ? null : text(entry['open_customer_id'])).toBe(
        ['PROPOSED', 'ACTIVE'].includes(text(entry['status'])) ? text(entry['customer_id']) : null,
      );
    }
    expect(activeFor).toEqual(new Set(store['customers']!.filter((row) => flag(row['blacklisted'])).map((row) => text(row['id']))));
  });

  it('records each yearly certification after the first as the re-certification that made it, and major events reported by the manager', () => {
    const certifications = new Map(store['manager_grade_history']!.map((row) => [`${text(row['staff_id'])}|${text(row['year'])}`, row]));
    expect(store['manager_grade_changes']!.length).toBeGreaterThan(0);
    for (const change of store['manager_grade_changes']!) {
      const certification = certifications.get(`${text(change['staff_id'])}|${text(change['certification_year'])}`)!;
      const previous = certifications.get(`${text(change['staff_id'])}|${Number(change['certification_year']) - 1}`)!;
      expect(change).toMatchObject({ kind: 'RECERTIFICATION', to_grade: certification['grade'], from_grade: previous['grade'] });
      expect(text(change['approved_at']).slice(0, 10)).toBe(text(certification['approved_on']).slice(0, 10));
    }
    const customers = new Map(store['customers']!.map((row) => [text(row['id']), row]));
    expect(store['major_customer_events']!.length).toBeGreaterThan(0);
    for (const event of store['major_customer_events']!) {
      const customer = customers.get(text(event['customer_id']))!;
      expect(text(event['reported_by_staff_id'])).toBe(text(customer['customer_manager_staff_id']));
      expect(text(event['occurred_on']) >= text(customer['customer_since'])).toBe(true);
      expect(text(event['reported_at']) > text(event['occurred_on']) && text(event['reported_at']) <= AS_OF).toBe(true);
    }
  });

  it('keeps the premium ledger of every policy bound, a cancelled one no longer counting', () => {
    const expected = crm.facts.policies
      .filter((policy) => policy.status !== 'QUOTED')
      .map((policy) => ({ policyNo: policy.policyNo, customerId: policy.customerId, premium: policy.writtenPremium, counts: policy.status !== 'CANCELLED' }))
      .sort((a, b) => a.policyNo.localeCompare(b.policyNo));
    expect(expected.some((row) => !row.counts)).toBe(true);
    expect(
      store['customer_premium_ledger']!.map((row) => ({
        policyNo: row['policy_no'],
        customerId: Number(row['customer_id']),
        premium: Number(row['written_premium']),
        counts: flag(row['counts']),
      })),
    ).toEqual(expected);
  });

  it('counts the customers of each branch, kind and blacklist flag as the rows hold them', () => {
    const fromRows = new Map<string, number>();
    for (const row of store['customers']!) {
      const group = `${text(row['branch_path'])} ${text(row['kind'])} ${flag(row['blacklisted'])}`;
      fromRows.set(group, (fromRows.get(group) ?? 0) + 1);
    }
    const counted = new Map(
      store['customer_counts']!.map((row) => [`${text(row['branch_path'])} ${text(row['kind'])} ${flag(row['blacklisted'])}`, Number(row['customers'])]),
    );
    expect(counted).toEqual(fromRows);
    expect([...counted.values()].reduce((sum, customers) => sum + customers, 0)).toBe(store['customers']!.length);
  });

  it('records change requests with who and when; approved values are the record', () => {
    const customers = new Map(store['customers']!.map((row) => [text(row['id']), row]));
    const addresses = groupBy(store['customer_addresses']!, 'customer_id');
    const staff = new Map(store['staff']!.map((row) => [text(row['id']), row]));
    for (const request of store['customer_change_requests']!) {
      const customer = customers.get(text(request['customer_id']))!;
      expect(text(request['submitted_by_staff_id'])).toBe(text(customer['customer_manager_staff_id']));
      expect(request['reviewed_at'] === null).toBe(request['status'] === 'SUBMITTED');
      if (request['reviewed_at'] !== null) {
        expect(staff.get(text(request['reviewed_by_staff_id']))!['role']).toBe('OPERATOR');
        expect(text(request['reviewed_at']) > text(request['submitted_at']) && text(request['reviewed_at']) <= AS_OF).toBe(true);
      }
      if (request['status'] === 'APPROVED') {
        const main = addresses.get(text(request['customer_id']))![0]!;
        const current: Record<string, string> = {
          MOBILE: text(customer['mobile']),
          EMAIL: text(customer['email']),
          ADDRESS: formatFullAddress(text(main['province']), text(main['city']), text(main['line'])),
          OCCUPATION: text(customer['occupation']),
          INCOME_BAND: text(customer['income_band']),
          MARKETING_CONSENT: String(flag(customer['marketing_consent'])),
        };
        expect(request['proposed_value']).toBe(current[text(request['field'])]);
        expect(text(customer['updated_at']) >= text(request['reviewed_at'])).toBe(true);
      }
    }
  });

  it('builds households, business profiles, visit reports and grades that fit the people', () => {
    const customers = new Map(store['customers']!.map((row) => [text(row['id']), row]));
    const individuals = store['customers']!.filter((row) => row['kind'] === 'INDIVIDUAL');
    const households = groupBy(store['household_members']!, 'customer_id');
    expect(households.size / individuals.length).toBeGreaterThan(0.5);
    expect(households.size / individuals.length).toBeLessThan(0.7);
    for (const [customerId, members] of households) {
      const customer = customers.get(customerId)!;
      expect(customer['kind']).toBe('INDIVIDUAL');
      expect(members.length >= 2 && members.length <= 5).toBe(true);
      expect(members.filter((member) => flag(member['is_head']))).toHaveLength(1);
      expect(members.filter((member) => member['relationship'] === 'SELF').map((member) => member['name'])).toEqual([customer['name']]);
      for (const child of members.filter((member) => member['relationship'] === 'CHILD'))
        expect(text(child['birth_date']) > text(customer['birth_date'])).toBe(true);
      for (const parent of members.filter((member) => member['relationship'] === 'PARENT'))
        expect(text(parent['birth_date']) < text(customer['birth_date'])).toBe(true);
    }

    const profiles = new Map(store['business_profiles']!.map((row) => [text(row['customer_id']), row]));
    expect([...profiles.keys()].sort()).toEqual(
      store['customers']!.filter((row) => row['kind'] === 'ORGANISATION')
        .map((row) => text(row['id']))
        .sort(),
    );
    for (const profile of profiles.values()) {
      expect(Number(profile['registered_capital']) > 0 && Number(profile['annual_revenue']) > 0 && Number(profile['employees']) > 0).toBe(true);
      if (profile['group_parent_customer_id'] !== null) {
        const parent = profiles.get(text(profile['group_parent_customer_id']))!;
        expect(parent['group_parent_customer_id']).toBeNull();
        expect(Number(parent['customer_id'])).toBeLessThan(Number(profile['customer_id']));
      }
    }

    const lastSixMonths = Array.from({ length: 6 }, (_, index) =>
      new Date(Date.UTC(DEFAULT_AS_OF.getUTCFullYear(), DEFAULT_AS_OF.getUTCMonth() - 6 + index, 1)).toISOString().slice(0, 7),
    );
    const managedReported = new Set(store['visit_reports']!.map((row) => text(row['customer_id'])));
    const managed = store['customers']!.filter((row) => row['customer_manager_staff_id'] !== null);
    expect(managedReported.size / managed.length).toBeGreaterThan(0.25);
    expect(managedReported.size / managed.length).toBeLessThan(0.42);
    const assignments = groupBy(store['manager_assignments']!, 'customer_id');
    for (const report of store['visit_reports']!) {
      const lastDay = lastDayOf(text(report['month']));
      expect(lastSixMonths).toContain(report['month']);
      expect(text(report['submitted_at']) > lastDay && text(report['submitted_at']) <= AS_OF).toBe(true);
      // Written by whoever was the primary manager at the end of that month.
      const primaryThen = assignments
        .get(text(report['customer_id']))!
        .find(
          (row) => flag(row['is_primary']) && text(row['assigned_from']) <= lastDay && (row['assigned_to'] === null || text(row['assigned_to']) >= lastDay),
        );
      expect(text(primaryThen?.['manager_staff_id'])).toBe(text(report['manager_staff_id']));
    }

    const staff = new Map(store['staff']!.map((row) => [text(row['id']), row]));
    for (const [staffId, certifications] of groupBy(store['manager_grade_history']!, 'staff_id')) {
      expect(certifications[certifications.length - 1]!['grade']).toBe(staff.get(staffId)!['grade']);
      certifications.forEach((certification, index) => {
        expect(certification['approved_by_level']).toBe(['SENIOR', 'PRINCIPAL'].includes(text(certification['grade'])) ? 'PROVINCE' : 'CITY');
        if (index === 0) return;
        const previous = certifications[index - 1]!;
        expect(Number(certification['year'])).toBe(Number(previous['year']) + 1);
        const rank = (grade: unknown) => (MANAGER_GRADES as readonly string[]).indexOf(text(grade));
        const promotion = rank(previous['grade']) - rank(certification['grade']);
        expect(promotion === 0 || promotion === 1).toBe(true);
      });
    }
  });

  describe('reproducibility', () => {
    let other: TestDatabases;
    let otherDb: Knex;
    beforeAll(async () => {
      other = createTestDatabases(dialect);
      otherDb = openDatabase(other.config, 'customers');
    });
    afterAll(async () => {
      await otherDb?.destroy();
      await other?.cleanup();
    });

    it('writes the same rows from the same seed', async () => {
      await seedStores({ config: other.config, stores: [TEST_STORE], customers: CUSTOMERS, seed: DEFAULT_SEED, asOf: DEFAULT_AS_OF });
      expect(await dumpStore(otherDb)).toEqual(store);
    });

    it('gives each customer the same rows whatever the batch size, except the group parent drawn within the batch', async () => {
      await seedStores({
        config: other.config,
        stores: [TEST_STORE],
        customers: CUSTOMERS,
        seed: DEFAULT_SEED,
        asOf: DEFAULT_AS_OF,
        batchSize: 250,
        reset: true,
      });
      const withoutGroupParents = (dump: Record<string, Row[]>) => ({
        ...dump,
        business_profiles: dump['business_profiles']!.map(({ group_parent_customer_id: _parent, ...profile }) => profile),
      });
      expect(withoutGroupParents(await dumpStore(otherDb))).toEqual(withoutGroupParents(store));
    });
  });
});
