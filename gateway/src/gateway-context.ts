import type { StaffIdentity } from '@icg/shared';

/** Per-request state of the gateway: who is calling (verified), under which request id. */
export interface GatewayContext {
  /** Made by the gateway for every request; a client cannot choose it. */
  requestId: string;
  /** The client's own, well-formed id for its request, if it sent one: kept beside requestId, never for it. */
  correlationId?: string;
  identity: StaffIdentity;
  /** SHA-256 of the client's operation text, computed once per request for the audit trail. */
  operationHash?: string;
}
