/**
 * V8 flags every server process runs with (`npm start` passes them, the Docker image sets them in NODE_OPTIONS,
 * the enforcement benchmark runs under them). A GraphQL request allocates many short-lived objects; with V8's
 * default young generation, the objects of requests still in flight at each scavenge are promoted and later
 * cost a full mark-compact pause (tens of ms, felt at p99). A 32 MB semi-space lets them die young.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
