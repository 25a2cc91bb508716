import type { Knex } from '@icg/shared';
import { startSeededSubgraph, type SeededSubgraph } from '../../../../tests/support/seeded-subgraph';
import { TEST_DIALECTS } from '../../../../tests/support/test-database';
import { TEST_STORE } from './test-store';

interface AssignmentRow {
  id: number | string;
  customer_id: number | string;
  manager_staff_id: number | string;
}

/**
 * The database's refusal message. better-sqlite3's SqliteError is not always an Error inside jest's
 * sandbox, so `rejects.toThrow` can miss it; reading the message works for both drivers.
 */
async function refusal(statement: PromiseLike<unknown>): Promise<string> {
  try {
    await statement;
  } catch (error) {
    return String((error as { message?: unknown }).message);
  }
  return 'accepted';
}

describe.each(TEST_DIALECTS)('rules the %s database enforces itself', (dialect) => {
  let crm: SeededSubgraph;
  let db: Knex;
  let current: AssignmentRow;
  let colleague: number;

  beforeAll(async () => {
    crm = await startSeededSubgraph({ ...TEST_STORE, dialect, customers: 60 });
    db = crm.running.db;
    current = (await db
      .table('manager_assignments')
      .whereNotNull('current_primary_customer_id')
      .orderBy('id')
      .first('id', 'customer_id', 'manager_staff_id')) as AssignmentRow;
    const customer = crm.facts.customers.find((fact) => fact.id === Number(current.customer_id))!;
    colleague = crm.org.managersByBranch.get(customer.branchId)!.find((manager) => manager.id !== Number(current.manager_staff_id))!.id;
  }, 120_000);
  afterAll(async () => crm?.close());

  const assignment = (overrides: Record<string, unknown>) => ({
    id: 900_000_001,
    customer_id: current.customer_id,
    manager_staff_id: colleague,
    is_primary: true,
    assigned_from: '2026-10-15',
    assigned_to: null,
    current_primary_customer_id: current.customer_id,
    ...overrides,
  });

  it('refuses a second current primary manager for a customer', async () => {
    expect(await refusal(db.table('manager_assignments').insert(assignment({})))).toMatch(/current_primary_customer_id/);
    const primaries = await db.table('manager_assignments').where('customer_id', current.customer_id).whereNotNull('current_primary_customer_id');
    expect(primaries).toHaveLength(1);
  });

  it('keeps the current-primary marker on the customer the assignment belongs to', async () => {
    const other = crm.facts.customers.find((fact) => fact.primaryManagerStaffId === null)!;
    expect(await refusal(db.table('manager_assignments').insert(assignment({ current_primary_customer_id: other.id })))).toMatch(
      /manager_assignments_current_primary_own/,
    );
  });

  it('accepts past primary managers and assisting managers beside the current one', async () => {
    // Inside a transaction that is rolled back, so the seeded store stays as the facts describe it.
    const trx = await db.transaction();
    try {
      await trx.table('manager_assignments').insert(assignment({ assigned_from: '2015-01-01', assigned_to: '2015-12-31', current_primary_customer_id: null }));
      await trx.table('manager_assignments').insert(assignment({ id: 900_000_002, is_primary: false, current_primary_customer_id: null }));
      expect(await trx.table('manager_assignments').where('customer_id', current.customer_id).whereIn('id', [900_000_001, 900_000_002])).toHaveLength(2);
    } finally {
      await trx.rollback();
    }
  });

  it('refuses a second open blacklist entry for a customer, and takes any number of closed ones', async () => {
    const open = (await db.table('blacklist_entries').whereNotNull('open_customer_id').orderBy('id').first()) as Record<string, unknown>;
    const entry = (overrides: Record<string, unknown>) => ({
      ...open,
      id: 900_000_101,
      status: 'PROPOSED',
      approved_by_staff_id: null,
      activated_at: null,
      review_due: null,
      ...overrides,
    });
    expect(await refusal(db.table('blacklist_entries').insert(entry({})))).toMatch(/open_customer_id/);
    const trx = await db.transaction();
    try {
      await trx.table('blacklist_entries').insert(entry({ status: 'REJECTED', open_customer_id: null }));
      await trx.table('blacklist_entries').insert(entry({ id: 900_000_102, status: 'LIFTED', open_customer_id: null }));
      expect(await trx.table('blacklist_entries').where('customer_id', open['customer_id'] as string)).toHaveLength(3);
    } finally {
      await trx.rollback();
    }
  });

  it('refuses child rows for a customer that does not exist', async () => {
    expect(
      await refusal(
        db.table('customer_addresses').insert({ customer_id: 999_999, kind: 'HOME', province: '广东省', city: '深圳市', line: '南山区科技园路1号' }),
      ),
    ).toMatch(/foreign key/i);
  });

  it('refuses a second customer with the same customer number', async () => {
    const existing = (await db.table('customers').where('id', current.customer_id).first()) as Record<string, unknown>;
    expect(await refusal(db.table('customers').insert({ ...existing, id: 900_000_001 }))).toMatch(/customer_no/);
  });
});
