import type { DatabaseConfig } from '../../config';
import { dropMysqlDatabase, type Knex } from '../../database';
import { createTestDatabases, type TestDialect } from '../../../../tests/support/test-database';
import type { AuditEvent } from '../audit-record';
import { AUDIT_STORE, AUDIT_TABLE, openAuditStore } from '../audit-store';
import type { AuditLog } from '../audit-writer';

export const TEST_SECRET = 'audit-test-pseudonym-secret-0123';
export const TEST_CHAIN_KEY = 'audit-test-chain-key-0123456789ab';

export interface TestAuditStore {
  db: Knex;
  config: DatabaseConfig;
  /** Destroys the knex and drops the store (createTestDatabases' cleanup only knows the subgraph stores). */
  close(): Promise<void>;
}

export async function openTestAuditStore(dialect: TestDialect): Promise<TestAuditStore> {
  const databases = createTestDatabases(dialect);
  let db: Knex;
  try {
    db = await openAuditStore(databases.config);
  } catch (error) {
    await databases.cleanup();
    throw error;
  }
  return {
    db,
    config: databases.config,
    async close() {
      await db.destroy();
      await dropMysqlDatabase(databases.config, AUDIT_STORE);
      await databases.cleanup();
    },
  };
}

export function auditEvent(index: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    requestId: `req-${index}`,
    occurredAt: new Date(Date.UTC(2024, 4, 1, 8, 30, 0, index % 1000)),
    staffId: String(100 + (index % 7)),
    role: 'HOTLINE_AGENT',
    purpose: 'CUSTOMER_SERVICE',
    operationName: 'Customer360',
    operationHash: 'a'.repeat(64),
    coordinate: 'Customer.mobile',
    recordKeys: [`Customer:${index}`],
    decision: index % 3 === 0 ? 'MASK' : 'ALLOW',
    rule: 'HOTLINE_AGENT:RESTRICTED',
    policyVersion: '2024-05-01',
    ...overrides,
  };
}

export interface LoggedLine {
  fields: Record<string, unknown>;
  message: string;
}

export function recordingLog(): AuditLog & { errors: LoggedLine[]; warnings: LoggedLine[] } {
  const errors: LoggedLine[] = [];
  const warnings: LoggedLine[] = [];
  return {
    errors,
    warnings,
    error: (fields, message) => errors.push({ fields: fields as Record<string, unknown>, message }),
    warn: (fields, message) => warnings.push({ fields: fields as Record<string, unknown>, message }),
  };
}

export async function storedRows(db: Knex): Promise<Record<string, unknown>[]> {
  return (await db(AUDIT_TABLE).orderBy('id')) as Record<string, unknown>[];
}

export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
