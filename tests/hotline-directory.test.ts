/**
 * The hotline's caller and policy directories stay current (issue 10, "nothing lost across systems"): a customer
 * filed in the CRM after the seed can call the hotline, and a claim on a policy bound after the seed can be reported
 * by phone — the directories learn them from `customer.registered` and `policy.bound`. Before the event arrives the
 * desk answers that it does not know the caller; afterwards it opens the ticket with the customer's scope. On
 * SQLite, and on MariaDB when MYSQL_URL is set.
 */
import { randomUUID } from 'node:crypto';
import { residentIdCheckChar } from '@icg/shared';
import { DEFAULT_SEED, generateOrg, type StaffFact } from '@icg/synthetic';
import { startGraph, type GraphUnderTest } from './support/graph-under-test';
import { mutate, newKey, waitUntil, TICKET_FIELDS, type Ticket } from './support/hotline-desk';
import { answered, mutatePolicy } from './support/policy-workflow';
import { TEST_DIALECTS } from './support/test-database';
import type { ActingAs } from './support/test-security';

const org = generateOrg(DEFAULT_SEED);
const city = org.cityBranches[0]!;
const acting = (staff: StaffFact, purpose: ActingAs['purpose'] = null): ActingAs => ({ role: staff.role, staffId: String(staff.id), purpose });
const MANAGER = acting(org.staffByRoleAndBranch('CUSTOMER_MANAGER', city.id).find((staff) => staff.grade !== null)!);
const AGENT = acting(
  org.staff.find((staff) => staff.role === 'HOTLINE_AGENT')!,
  'CUSTOMER_SERVICE',
);

let sequence = 0;
/** A valid resident ID nobody in the seeded company has (birth year 1967). */
function newResidentId(): string {
  sequence++;
  const body = `110105196703${String((sequence % 28) + 1).padStart(2, '0')}${String(200 + sequence).slice(-3)}`;
  return `${body}${residentIdCheckChar(body)}`;
}

const today = (): string => new Date().toISOString().slice(0, 10);

describe.each(TEST_DIALECTS)('the hotline directories on %s', (dialect) => {
  let graph: GraphUnderTest;

  beforeAll(async () => {
    graph = await startGraph({ dialect, customers: 20 });
  }, 120_000);
  afterAll(async () => {
    await graph?.close();
  });

  const fileCustomer = async (): Promise<{ id: string }> => {
    const response = await graph.query<{ createCustomer: { id: string; branch: { id: string } } | null }>(
      'mutation Create($input: CreateCustomerInput!, $key: String!) { createCustomer(input: $input, idempotencyKey: $key) { id branch { id } } }',
      {
        input: {
          kind: 'INDIVIDUAL',
          name: '钟晓燕',
          idType: 'RESIDENT_ID',
          idNumber: newResidentId(),
          mobile: `1990${String(2_000_000 + sequence).slice(-7)}`,
        },
        key: randomUUID(),
      },
      MANAGER,
    );
    expect(response.errors).toBeUndefined();
    return response.data!.createCustomer!;
  };

  const openEnquiry = (customerId: string) =>
    mutate<Ticket>(
      graph,
      'openServiceRequest',
      'OpenServiceRequestInput',
      { idempotencyKey: newKey(), type: 'ENQUIRY', channel: 'PHONE', priority: 'NORMAL', customerId, subject: '咨询：投保进度' },
      TICKET_FIELDS,
      AGENT,
    );

  it('lets a customer filed after the seed call the hotline once customer.registered has arrived', async () => {
    const directory = () => graph.subgraphs['service-requests']!.db('customer_directory');
    const customer = await fileCustomer();
    // Delivered through the customers outbox: poll the desk until it knows the caller.
    const opened = await waitUntil(
      () => openEnquiry(customer.id),
      (answer) => answer.errors.length === 0,
    );
    expect(opened.errors).toEqual([]);
    expect(opened.value).toMatchObject({ type: 'ENQUIRY', status: 'TRIAGED', customer: { id: customer.id } });
    const row = (await directory().where('customer_id', customer.id).first()) as { branch_path: string; customer_manager_staff_id: unknown };
    expect(row.branch_path).toBe(city.path);
    expect(String(row.customer_manager_staff_id)).toBe(MANAGER.staffId);
  });

  it('lets a claim on a policy bound after the seed be reported by phone once policy.bound has arrived', async () => {
    const customer = await fileCustomer();
    const quoted = answered(
      await mutatePolicy(
        graph,
        'quotePolicy',
        { customerId: customer.id, productCode: 'MOT-PRV', channel: 'DIRECT', effectiveDate: today(), sumInsured: 150_000, writtenPremium: 3_456.78 },
        MANAGER,
      ),
      'quotePolicy',
    );
    const bound = answered(
      await mutatePolicy(graph, 'bindPolicy', { policyNo: quoted.policyNo, expectedVersion: quoted.version, premiumPaid: true }, MANAGER),
      'bindPolicy',
    );
    const report = () =>
      mutate<Ticket>(
        graph,
        'reportClaimByPhone',
        'ReportClaimByPhoneInput',
        { idempotencyKey: newKey(), customerId: customer.id, policyNo: bound.policyNo, lossDate: today(), cause: 'COLLISION', priority: 'HIGH' },
        TICKET_FIELDS,
        AGENT,
      );
    const reported = await waitUntil(report, (answer) => answer.errors.length === 0);
    expect(reported.errors).toEqual([]);
    expect(reported.value).toMatchObject({ type: 'CLAIM_REPORT', customer: { id: customer.id }, policy: { policyNo: bound.policyNo } });
  });

  it('still refuses a customer no system has filed', async () => {
    const { errors } = await openEnquiry('999999999');
    expect(errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'input.customerId' });
  });
});
