/**
 * `POST /operations`, body `{"query": "<GraphQL document>"}`: registers a document so it can be called by its sha256
 * hash (README "For BI users"). Registration is the action `operation.register` of the access policy (deny by
 * default), audited allowed or refused, and the document is checked as every call would check it. Registering the same
 * document again answers the existing registration (200) instead of a new one (201).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ActionRefused,
  HttpError,
  authorizeAction,
  forbiddenActionError,
  newRequestId,
  sendHttpError,
  sendJson,
  type AccessPolicy,
  type AuditEvent,
  type Logger,
  type StaffIdentity,
} from '@icg/shared';
import type { OperationValidator } from './operation-validator';
import { RegistryUnavailable, sha256Of, type PersistedOperation, type PersistedOperationRegistry } from './operation-registry';

export const REGISTER_OPERATION_PATH = '/operations';
const ACTION = 'operation.register';
/** The audit trail's coordinate for a registration: an action's, as the write side names them (docs/access-model.md section 10). */
const AUDIT_COORDINATE = `action:${ACTION}`;

export interface RegisterRouteOptions {
  policy: AccessPolicy;
  registry: PersistedOperationRegistry;
  validator: OperationValidator;
  /** Verifies the bearer token (401) and applies the caller's limits (429), as for a GraphQL request. */
  authenticate(request: IncomingMessage): Promise<StaffIdentity>;
  audit(event: AuditEvent): void;
  maxBodyBytes: number;
  logger: Logger;
  now?: () => Date;
}

/** What a client learns about a registration. */
export interface RegistrationAnswer {
  sha256Hash: string;
  operationNames: readonly string[];
  registeredAt: string;
  /** False when the document was registered before (by anyone): the hash is the same. */
  created: boolean;
}

async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const contentType = request.headers['content-type'] ?? '';
  // JSON only: a browser cannot send it cross-site without a preflight, so no form can register for a signed-in user.
  if (!contentType.toLowerCase().startsWith('application/json')) {
    throw new HttpError(415, 'Send the operation as application/json: {"query": "<GraphQL document>"}', 'BAD_REQUEST');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `Request body exceeds ${maxBytes} bytes`, 'PAYLOAD_TOO_LARGE');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'Request body is not valid JSON', 'BAD_REQUEST');
  }
}

function badInput(problems: readonly string[]): HttpError {
  return new HttpError(400, `query: ${problems.join('; ')}`, 'BAD_USER_INPUT', {}, { field: 'query' });
}

export function registerOperationRoute(options: RegisterRouteOptions) {
  const now = options.now ?? (() => new Date());
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const requestId = newRequestId();
    response.setHeader('x-request-id', requestId);
    try {
      const identity = await options.authenticate(request);
      const body = await readJsonBody(request, options.maxBodyBytes);
      const text = typeof body === 'object' && body !== null ? (body as { query?: unknown }).query : undefined;
      const sha256Hash = typeof text === 'string' ? sha256Of(text) : '';
      const event = (decision: AuditEvent['decision'], rule: string, decisionId: string): AuditEvent => ({
        requestId,
        occurredAt: now(),
        staffId: identity.staffId,
        role: identity.role,
        purpose: identity.purpose,
        operationName: null,
        operationHash: sha256Hash,
        coordinate: AUDIT_COORDINATE,
        recordKeys: [`PersistedOperation:${sha256Hash}`],
        decision,
        rule,
        policyVersion: options.policy.version,
        decisionId,
      });
      // Authorised before the document is looked at: a refused caller learns nothing about the schema from it.
      const caller = { staffId: identity.staffId, role: identity.role, branchPath: identity.branchPath, grade: identity.grade, purpose: identity.purpose };
      try {
        const decision = authorizeAction({ policy: options.policy, caller }, ACTION, {
          scope: { branchPath: identity.branchPath, responsibleStaffIds: [identity.staffId] },
        });
        const checked = options.validator.check(text, identity);
        if (!checked.ok) throw badInput(checked.problems);
        const registeredAt = now().toISOString();
        const offered: PersistedOperation = {
          sha256Hash,
          document: text as string,
          operationNames: checked.operationNames,
          registeredBy: identity.staffId,
          registeredRole: identity.role,
          registeredAt,
          policyVersion: options.policy.version,
        };
        const { operation, created } = await options.registry.register(offered);
        options.audit(event('ALLOW', decision.rule, randomUUID()));
        options.logger.info({ requestId, staffId: identity.staffId, role: identity.role, sha256Hash, created }, 'operation registered');
        const answer: RegistrationAnswer = { sha256Hash, operationNames: operation.operationNames, registeredAt: operation.registeredAt, created };
        sendJson(response, created ? 201 : 200, answer, { 'x-request-id': requestId });
      } catch (error) {
        if (!(error instanceof ActionRefused)) throw error;
        const decisionId = randomUUID();
        options.audit(event('DENY', error.rule, decisionId));
        const refusal = forbiddenActionError(error, decisionId);
        sendJson(response, 403, { errors: [{ message: refusal.message, extensions: refusal.extensions }] }, { 'x-request-id': requestId });
      }
    } catch (error) {
      if (error instanceof HttpError) return sendHttpError(response, error);
      if (error instanceof RegistryUnavailable) {
        options.logger.warn({ requestId, err: { name: error.name } }, 'persisted-operation registry unavailable');
        return sendHttpError(
          response,
          new HttpError(503, 'The operation registry is unavailable; try again shortly', 'DATABASE_UNAVAILABLE', { 'retry-after': '5' }),
        );
      }
      options.logger.error({ requestId, err: { name: (error as Error)?.name } }, 'operation registration failed');
      if (!response.headersSent) sendHttpError(response, new HttpError(500, 'Internal server error', 'INTERNAL_SERVER_ERROR'));
    }
  };
}
