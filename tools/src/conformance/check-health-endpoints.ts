import type { ConformanceContext } from './conformance-context';
import { failed, passed, type CheckResult } from './conformance-report';

/**
 * `/health` (the process is up) and `/ready` (its store is reachable and migrated) beside the GraphQL
 * path, without an assertion: orchestrators probe them. A ready subgraph answers both with 200.
 */
export async function checkHealthEndpoints(context: ConformanceContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const path of ['/health', '/ready']) {
    const response = await context.client.get(`health: ${path}`, path);
    results.push(
      response.status === 200
        ? passed('health', `GET ${path}`, `HTTP 200 ${response.bodyText.slice(0, 80)}`)
        : failed('health', `GET ${path}`, `expected HTTP 200, got HTTP ${response.status}`),
    );
  }
  return results;
}
