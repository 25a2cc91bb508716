import { assertionHeaders, testSubgraphSecurity } from '../../../../tests/support/test-security';
import { DEFAULT_AS_OF, generateCompanyBatch, generateOrg, seedStores, startSubgraph, type RunningSubgraph, type SeedBatch } from '@icg/shared';
import { postGraphQL, type GraphQLResponse } from '../../../../tests/support/graphql-client';
import { createTestDatabases, type TestDatabases, type TestDialect } from '../../../../tests/support/test-database';
import { complaintsSeeder, createComplaintsSubgraph, type ComplaintRules } from '../index';

export const TEST_SEED = 4_405;
/** About 4 % of customers complain: this gives ~190 complaints, enough for every status, source and outcome. */
export const TEST_CUSTOMERS = 5_000;

/** A store seeded with the synthetic company's complaints, and the facts it was seeded from. */
export interface SeededStore {
  databases: TestDatabases;
  facts: SeedBatch;
}

export async function seedComplaintStore(dialect: TestDialect, seed = TEST_SEED): Promise<SeededStore> {
  const databases = createTestDatabases(dialect);
  try {
    await seedStores({
      config: databases.config,
      stores: [{ manifest: createComplaintsSubgraph(), seeder: complaintsSeeder }],
      customers: TEST_CUSTOMERS,
      seed,
      asOf: DEFAULT_AS_OF,
      // Several batches, so ids and numbers must stay unique across them.
      batchSize: 1_700,
    });
  } catch (error) {
    await databases.cleanup();
    throw error;
  }
  const facts = generateCompanyBatch({ seed, asOf: DEFAULT_AS_OF, org: generateOrg(seed), firstCustomerId: 1, lastCustomerId: TEST_CUSTOMERS });
  return { databases, facts };
}

export interface SeededComplaints extends SeededStore {
  running: RunningSubgraph;
  query<TData = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<TData>>;
  close(): Promise<void>;
}

/** The complaints subgraph listening on a free loopback port over a freshly seeded store. */
export async function startSeededComplaints(dialect: TestDialect, rules?: ComplaintRules): Promise<SeededComplaints> {
  const store = await seedComplaintStore(dialect);
  let running: RunningSubgraph;
  try {
    running = await startSubgraph(createComplaintsSubgraph(rules), { name: 'complaints', host: '127.0.0.1', port: 0, database: store.databases.config, maxBodyBytes: 100_000, logLevel: 'silent', security: testSubgraphSecurity() });
  } catch (error) {
    await store.databases.cleanup();
    throw error;
  }
  try {
    await running.ready;
  } catch (error) {
    await running.close();
    await store.databases.cleanup();
    throw error;
  }
  return {
    ...store,
    running,
    query: async (query, variables = {}) => postGraphQL(`${running.url}/graphql`, query, variables, await assertionHeaders('complaints')),
    async close() {
      await running.close();
      await store.databases.cleanup();
    },
  };
}

/** Every field of a complaint, children included, as the complaint desk shows it. */
export const COMPLAINT_FIELDS = `
  id complaintNo source complainantName complainantMobile
  customer { id } respondentBranch { id } respondentStaff { id } policy { policyNo } claim { reportNo }
  category lineOfBusiness facts request complexity status
  acceptedAt verifiedAt registeredAt transferredAt coordinatedAt handledAt feedbackAt archivedAt
  deadlineDays dueDate deadlineWarningAt escalationLevel outcome compensationAmount
  reviewRequested reviewOutcome rootCause rectification archived handler { id }
  extensions { days approvedBy { id } approvedAt reason notifiedComplainantAt }
  steps { step actor { id } at form note }
`;

export interface ComplaintView {
  id: string;
  complaintNo: string;
  source: string;
  complainantName: string | null;
  complainantMobile: string | null;
  customer: { id: string };
  respondentBranch: { id: string };
  respondentStaff: { id: string } | null;
  policy: { policyNo: string } | null;
  claim: { reportNo: string } | null;
  category: string;
  lineOfBusiness: string | null;
  facts: string | null;
  request: string | null;
  complexity: string;
  status: string;
  acceptedAt: string;
  verifiedAt: string | null;
  registeredAt: string | null;
  transferredAt: string | null;
  coordinatedAt: string | null;
  handledAt: string | null;
  feedbackAt: string | null;
  archivedAt: string | null;
  deadlineDays: number;
  dueDate: string;
  deadlineWarningAt: string | null;
  escalationLevel: string;
  outcome: string | null;
  compensationAmount: number | null;
  reviewRequested: boolean;
  reviewOutcome: string | null;
  rootCause: string | null;
  rectification: string | null;
  archived: boolean;
  handler: { id: string } | null;
  extensions: { days: number; approvedBy: { id: string } | null; approvedAt: string; reason: string | null; notifiedComplainantAt: string | null }[];
  steps: { step: string; actor: { id: string } | null; at: string; form: string | null; note: string | null }[];
}
