/** Per-request state of the gateway. */
export interface GatewayContext {
  requestId: string;
}
