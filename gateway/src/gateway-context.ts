import type { StaffIdentity } from '@icg/shared';

/** Per-request state of the gateway: who is calling (verified), under which request id. */
export interface GatewayContext {
  requestId: string;
  identity: StaffIdentity;
  /** SHA-256 of the client's operation text, computed once per request for the audit trail. */
  operationHash?: string;
}
