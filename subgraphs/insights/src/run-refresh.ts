/**
 * `npm run insights:refresh`: rebuilds the insights read model from the graph (src/refresh.ts), showing progress on
 * stderr ("facts 400 / 1000"), resuming an interrupted run (Ctrl-C stops after the page in hand), stamping asOf.
 *
 * Where: the insights database from the usual DATABASE settings (DATA_DIR / MYSQL_URL); the gateway at GATEWAY_URL
 * (default http://127.0.0.1:$PORT/graphql, PORT 4000). The warnings it raises, moves or clears are audited as the
 * insights system's changes (the audit settings of the subgraph, AUDIT_*).
 *
 * Who (docs/insights.md, "Refresh"): a bearer token in INSIGHTS_REFRESH_TOKEN, issued by the identity provider to the
 * insights service account. Without one, in development (an HS256 secret: AUTH_HS256_SECRET or the one `npm start`
 * keeps under DATA_DIR), it mints a short-lived token for a head-office auditor of the seeded company (purpose AUDIT).
 */
import { join } from 'node:path';
import {
  createLogger,
  DEFAULT_TOKEN_AUDIENCE,
  DEFAULT_TOKEN_ISSUER,
  EnvReader,
  loadAccessPolicy,
  loadDatabaseConfig,
  loadSubgraphConfig,
  migrateToLatest,
  mintDevelopmentToken,
  openCommandAudit,
  openDatabase,
  readOrCreateSecretFile,
  TOKEN_ENV,
  type CommandAudit,
} from '@icg/shared';
import { refreshInsights, RefreshError, type GraphQLCaller } from './refresh';
import { insightRules, insightsSubgraph } from './server';

/** Under DATA_DIR: the development token secret `npm start` and `npm run token` share (tools/src/development-token-secret.ts). */
const DEVELOPMENT_TOKEN_SECRET_FILE = 'development-token.secret';

async function bearerToken(reader: EnvReader): Promise<string> {
  const given = reader.optionalString('INSIGHTS_REFRESH_TOKEN');
  if (given !== undefined) return given;
  if (reader.optionalString(TOKEN_ENV.jwksPath) !== undefined || reader.optionalString(TOKEN_ENV.jwksUrl) !== undefined)
    throw new RefreshError('INSIGHTS_REFRESH_TOKEN is required when tokens come from an identity provider (AUTH_JWKS_PATH or AUTH_JWKS_URL)');
  const secret =
    reader.optionalString(TOKEN_ENV.secret) ?? readOrCreateSecretFile(join(loadDatabaseConfig().dataDir, DEVELOPMENT_TOKEN_SECRET_FILE), TOKEN_ENV.secret);
  // No staff role reads exactly what the rules need (per-customer amounts of every customer, nothing more): a
  // head-office internal auditor with the AUDIT purpose reads every customer's amounts in clear and may change
  // nothing but register BI operations. The refresh asks only for the fields the rules need (no names, contacts or
  // ID numbers), and each read is audited under this identity. A dedicated service role is the narrower follow-up
  // (docs/insights.md, "Refresh").
  const { DEFAULT_SEED, generateOrg } = await import('@icg/synthetic');
  const staff = generateOrg(DEFAULT_SEED).staff.find((member) => member.role === 'AUDITOR' && member.branchPath === '/1/');
  if (staff === undefined) throw new RefreshError('the seeded company has no head-office auditor to refresh as; set INSIGHTS_REFRESH_TOKEN');
  return mintDevelopmentToken({
    secret,
    issuer: reader.string(TOKEN_ENV.issuer, DEFAULT_TOKEN_ISSUER),
    audience: reader.string(TOKEN_ENV.audience, DEFAULT_TOKEN_AUDIENCE),
    identity: { staffId: String(staff.id), role: 'AUDITOR', branchId: String(staff.branchId), branchPath: staff.branchPath, grade: null, purpose: 'AUDIT' },
    ttlSeconds: 6 * 3600,
  });
}

async function main(): Promise<void> {
  const reader = new EnvReader();
  const gatewayUrl = reader.string('GATEWAY_URL', `http://127.0.0.1:${reader.port('PORT', 4000)}/graphql`);
  const rules = insightRules;
  const token = await bearerToken(reader);
  const config = loadSubgraphConfig(insightsSubgraph);
  const db = openDatabase(config.database, insightsSubgraph.name);
  const policy = loadAccessPolicy(config.security.accessPolicyPath);
  let stop = false;
  process.on('SIGINT', () => {
    if (stop) process.exit(130);
    stop = true;
    process.stderr.write('stopping after the page in hand; run again to resume\n');
  });
  const graphql: GraphQLCaller = async (query, variables) => {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    if (!response.ok && response.status !== 200) throw new RefreshError(`the gateway answered HTTP ${response.status}`);
    return (await response.json()) as Awaited<ReturnType<GraphQLCaller>>;
  };
  let audit: CommandAudit | undefined;
  try {
    await migrateToLatest(db, insightsSubgraph.migrations);
    // The warnings phase 2 raises, moves or clears are audited as the insights system's changes.
    audit = await openCommandAudit({
      subgraph: insightsSubgraph.name,
      database: config.database,
      audit: config.security.audit,
      db,
      log: createLogger('insights-refresh', 'silent'),
    });
    const started = Date.now();
    const result = await refreshInsights({
      db,
      rules,
      graphql,
      onProgress: (line) => process.stderr.write(`${line}\n`),
      stopRequested: () => stop,
      changeAudit: audit.trail,
      policyVersion: policy.version,
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(
      result.completed
        ? `refreshed ${result.customers} customers in ${seconds} s, asOf ${result.asOf.toISOString()}\n`
        : `stopped after ${result.customers} customers; run again to resume\n`,
    );
    if (!result.completed) process.exitCode = 130;
  } finally {
    await audit?.close();
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  // Our own errors say what to do; anything else by its kind only: a database error's message can hold SQL with values.
  const failure = error as { name?: string; code?: string; message?: string };
  const ours = error instanceof RefreshError || failure?.name === 'ConfigError' || failure?.name === 'InsightRulesError';
  process.stderr.write(`insights:refresh failed: ${ours ? failure.message : (failure?.code ?? failure?.name ?? 'error')}\n`);
  process.exit(1);
});
