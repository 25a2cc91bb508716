/**
 * THE one list of the events the subgraphs send each other (issue 10, "nothing lost across systems"):
 * each type's producer (the only subgraph that may record and send it), its consumers (the subgraphs it
 * is delivered to) and its payload, checked on recording and again on receipt — a payload that does not
 * check is refused and never applied. Issue 11's insights subgraph consumes the policy, claim, complaint and customer
 * events to keep its read model (docs/insights.md).
 *
 * What payloads carry: keys (ids, business numbers), states, codes, dates and amounts — what the
 * receiver needs to do its job and no more. No names, phone numbers, ID numbers, addresses, free text
 * or reasons: a receiver that needs more of a person reads it from the owning system through the graph,
 * under the access policy. Three facts are sensitive and carried because the receiver cannot do its job
 * without them: a claim's cause (HEALTH when INJURY or ILLNESS; claims files the claim with it),
 * whether a customer is blacklisted (policies refuses quotes with it) and whether a claim's special
 * investigation confirmed fraud (CREDIT, RESTRICTED as Claim.investigationOutcome: insights classifies a
 * customer with confirmed fraud as poor, DOMAIN.md section 5, and cannot without it). Records are closed:
 * a field not described here is refused, so nothing rides along unannounced.
 */
import { CLAIM_REPORT_CHANNELS, COMPLAINT_CATEGORIES, COMPLAINT_SOURCES, CUSTOMER_KINDS, LINES_OF_BUSINESS } from '../domain/vocabulary';
import { BUSINESS_NUMBERS } from '../ids';
import { EVENT_ID } from './event-id';
import {
  entityId,
  flag,
  integer,
  isoDate,
  isoTimestamp,
  listOf,
  money,
  nullable,
  oneOf,
  record,
  text,
  type Check,
  type Checked,
  type CheckResult,
} from './payload-schema';

export interface EventTypeDefinition<TPayload> {
  /** The subgraph that records it in its outbox; no other may send it. */
  producer: string;
  /** The subgraphs it is delivered to, each exactly once and in order per record (may be none yet). */
  consumers: readonly string[];
  /** What happened, in a sentence (docs/events.md lists them). */
  description: string;
  payload: Check<TPayload>;
}

/** Event types by name: the production list below, or a test's own (tools/src/benchmarks/event-probe.ts). */
export type EventCatalog = Readonly<Record<string, EventTypeDefinition<unknown>>>;

/** The payload type of a catalog entry. */
export type PayloadOf<D> = D extends EventTypeDefinition<infer P> ? P : never;

const number = (format: { pattern: RegExp; description: string }): Check<string> => text(format.pattern, `a ${format.description}`, 20);
const customerNo = number(BUSINESS_NUMBERS.customerNo);
const policyNo = number(BUSINESS_NUMBERS.policyNo);
const reportNo = number(BUSINESS_NUMBERS.reportNo);
const ticketNo = number(BUSINESS_NUMBERS.ticketNo);
const complaintNo = number(BUSINESS_NUMBERS.complaintNo);
const CLAIM_CAUSES = ['COLLISION', 'THEFT', 'FIRE', 'FLOOD', 'TYPHOON', 'INJURY', 'ILLNESS', 'CARGO_DAMAGE', 'LIABILITY', 'OTHER'] as const;
const CLAIM_CLOSED_OUTCOMES = ['PAID', 'DENIED', 'WITHDRAWN', 'CANCELLED', 'ZERO_CLOSED'] as const;
/** How a customer is served (DOMAIN.md section 5): large and quality customers get a return visit after a claim closes. */
const CUSTOMER_SERVICE_SEGMENTS = ['LARGE', 'QUALITY', 'STANDARD'] as const;
/**
 * The keys of the objects a policy insures (InsuredObject.objectKey: the same on every policy insuring the object):
 * insights counts claims on one object by them. Null when the sender did not say (an event recorded before they
 * were carried); a policy insures at most 99 objects.
 */
const insuredObjectKeys = nullable(listOf(entityId, 99));
/** A branch's materialised path in the org tree, e.g. /1/3/9/. */
const branchPath = text(/^\/(\d{1,9}\/){1,8}$/, 'a branch path such as /1/3/9/', 90);

function eventType<TPayload>(definition: EventTypeDefinition<TPayload>): EventTypeDefinition<TPayload> {
  return definition;
}

export const EVENT_TYPES = {
  'customer.blacklist-changed': eventType({
    producer: 'customers',
    // Insights: a blacklisted customer is classified BLACKLISTED and gets no renewal-due warnings.
    consumers: ['policies', 'insights'],
    description:
      "A customer's blacklist changed: an entry was proposed, became active (second approval), was reviewed, rejected, lifted or expired. Policies refuses quote, bind and renew while one is active.",
    payload: record({
      customerId: entityId,
      customerNo,
      /** Whether quote, bind and renew are refused from now on (the customer has an ACTIVE entry). */
      blacklisted: flag,
      /** The entry's status after the change (ACTIVE also when a review kept it). */
      status: oneOf(['PROPOSED', 'ACTIVE', 'REJECTED', 'LIFTED', 'EXPIRED']),
      effectiveAt: isoTimestamp,
    }),
  }),
  'customer.registered': eventType({
    producer: 'customers',
    // Insights: a new customer's facts (tenure, kind, row scope) before any policy or claim of theirs arrives.
    // The hotline: its caller directory, so the new customer can call (and their tickets get their scope).
    consumers: ['insights', 'service-requests'],
    description: 'A customer was filed (createCustomer).',
    payload: record({
      customerId: entityId,
      customerNo,
      kind: oneOf(CUSTOMER_KINDS),
      customerSince: isoDate,
      branchId: entityId,
      /** The customer's row scope: their branch and primary manager. */
      branchPath,
      primaryManagerStaffId: nullable(entityId),
    }),
  }),
  'customer.manager-changed': eventType({
    producer: 'customers',
    // Every system that copies the customer's primary manager onto its records as row scope (OWN): the new manager
    // sees the customer's policies, claims, tickets, complaints and insight, the one before no longer does.
    consumers: ['policies', 'claims', 'complaints', 'service-requests', 'insights'],
    description: "A customer's primary manager was assigned, transferred or released.",
    payload: record({
      customerId: entityId,
      customerNo,
      /** The primary manager from now on; null once released. */
      primaryManagerStaffId: nullable(entityId),
      effectiveAt: isoTimestamp,
    }),
  }),
  'service-request.claim-reported': eventType({
    producer: 'service-requests',
    consumers: ['claims'],
    description: 'The hotline took a claim report by phone (CLAIM_REPORT ticket): claims creates the claim, status REPORTED, and dispatches a survey.',
    payload: record({
      ticketNo,
      customerId: entityId,
      policyNo,
      lossDate: isoDate,
      /** HEALTH when INJURY or ILLNESS: claims files the claim with it. */
      cause: oneOf(CLAIM_CAUSES),
      reportedAt: isoTimestamp,
      branchId: entityId,
      /** The claim's row scope (the customer's branch and primary manager), as the hotline's directory has them. */
      branchPath,
      customerManagerStaffId: nullable(entityId),
      /** How the customer is served (the agent's desk): decides the return visit after the claim closes. */
      customerSegment: oneOf(CUSTOMER_SERVICE_SEGMENTS),
    }),
  }),
  'service-request.complaint-call': eventType({
    producer: 'service-requests',
    consumers: ['complaints'],
    description: 'The hotline took a complaint by phone (COMPLAINT ticket): complaints accepts the complaint, source HOTLINE, due 15 days later.',
    payload: record({
      ticketNo,
      customerId: entityId,
      category: oneOf(COMPLAINT_CATEGORIES),
      policyNo: nullable(policyNo),
      reportNo: nullable(reportNo),
      receivedAt: isoTimestamp,
      branchId: entityId,
    }),
  }),
  'claim.closed': eventType({
    producer: 'claims',
    consumers: ['service-requests', 'insights'],
    description: 'A claim closed: the hotline schedules a return visit within 7 days for large and quality customers.',
    payload: record({
      reportNo,
      policyNo,
      customerId: entityId,
      outcome: oneOf(CLAIM_CLOSED_OUTCOMES),
      closedAt: isoTimestamp,
      branchId: entityId,
      /** The return visit's row scope: the claim's branch and the customer's primary manager. */
      branchPath,
      customerManagerStaffId: nullable(entityId),
      /** As reported with the claim; null when the claims system was not told (other channels, seeded claims). */
      customerSegment: nullable(oneOf(CUSTOMER_SERVICE_SEGMENTS)),
    }),
  }),
  // Also for issue 11's insights subgraph.
  'policy.bound': eventType({
    producer: 'policies',
    // The CRM keeps the 12-month written premium that makes a customer large (a manager of principal grade or above).
    // The hotline's policy directory: a claim on the new policy can be reported by phone.
    consumers: ['customers', 'insights', 'service-requests'],
    description: 'A quote was bound into a policy.',
    payload: record({
      policyNo,
      customerId: entityId,
      lineOfBusiness: oneOf(LINES_OF_BUSINESS),
      effectiveDate: isoDate,
      expiryDate: isoDate,
      writtenPremium: money,
      branchId: entityId,
      insuredObjectKeys,
    }),
  }),
  'policy.renewed': eventType({
    producer: 'policies',
    // Insights: consecutive renewals (loyalty) and the renewal that ends a renewal-due warning.
    consumers: ['insights'],
    description: "The renewal of a policy was bound (policyNo: the renewal; priorPolicyNo: the policy it renews). Sent with the renewal's policy.bound.",
    payload: record({
      policyNo,
      priorPolicyNo: policyNo,
      customerId: entityId,
      lineOfBusiness: oneOf(LINES_OF_BUSINESS),
      effectiveDate: isoDate,
      expiryDate: isoDate,
      writtenPremium: money,
      branchId: entityId,
      insuredObjectKeys,
    }),
  }),
  'policy.cancelled': eventType({
    producer: 'policies',
    // A cancelled policy's premium no longer counts towards a large customer.
    consumers: ['customers', 'insights'],
    description: 'A policy was cancelled.',
    payload: record({
      policyNo,
      customerId: entityId,
      cancelledOn: isoDate,
      forNonPayment: flag,
      branchId: entityId,
    }),
  }),
  'policy.lapsed': eventType({
    producer: 'policies',
    consumers: ['insights'],
    description: 'A policy lapsed: its premium stayed unpaid past the grace period (policies moves it on its schedule).',
    payload: record({ policyNo, customerId: entityId, lapsedOn: isoDate, branchId: entityId }),
  }),
  'policy.reinstated': eventType({
    producer: 'policies',
    // A reinstated policy's premium counts again.
    consumers: ['customers', 'insights'],
    description: 'A cancelled or lapsed policy was put back in force (or bound again, when its cover had not started).',
    payload: record({ policyNo, customerId: entityId, reinstatedOn: isoDate, branchId: entityId }),
  }),
  'claim.reported': eventType({
    producer: 'claims',
    // The hotline shows the claim on the ticket the report came from.
    consumers: ['service-requests', 'insights'],
    description: 'A claim was reported, by whatever channel (a phone report: once claims filed it).',
    payload: record({
      reportNo,
      policyNo,
      customerId: entityId,
      lossDate: isoDate,
      reportedAt: isoTimestamp,
      channel: oneOf(CLAIM_REPORT_CHANNELS),
      branchId: entityId,
      /** The hotline ticket a phone report came from; null for other channels. */
      ticketNo: nullable(ticketNo),
    }),
  }),
  'claim.paid': eventType({
    producer: 'claims',
    consumers: ['insights'],
    description: 'A payment on a claim was made (it reduces the outstanding reserve by the amount).',
    payload: record({ reportNo, customerId: entityId, amount: money, paidAt: isoTimestamp }),
  }),
  'claim.reserve-changed': eventType({
    producer: 'claims',
    // Insights: incurred = paid + outstanding reserve − recoveries, so a reserve moves the loss ratio.
    consumers: ['insights'],
    description: "A claim's outstanding reserve was set (at registration, or by setClaimReserve).",
    payload: record({ reportNo, customerId: entityId, outstandingReserve: money, changedAt: isoTimestamp }),
  }),
  'claim.investigation-concluded': eventType({
    producer: 'claims',
    // Insights: a customer with a claim whose fraud is confirmed is classified POOR (DOMAIN.md section 5).
    consumers: ['insights'],
    description: "A claim's special investigation was concluded (concludeSpecialInvestigation): fraud confirmed, or none found.",
    payload: record({
      reportNo,
      customerId: entityId,
      /** Sensitive (CREDIT): true when the investigation confirmed fraud, false when it found none. */
      fraudConfirmed: flag,
      concludedAt: isoTimestamp,
    }),
  }),
  'complaint.call-accepted': eventType({
    producer: 'complaints',
    consumers: ['service-requests'],
    description: "The register accepted a complaint taken by phone: the hotline's ticket shows it (spawnedComplaint).",
    payload: record({ ticketNo, complaintNo, acceptedAt: isoTimestamp }),
  }),
  'complaint.registered': eventType({
    producer: 'complaints',
    consumers: ['insights'],
    description: 'A complaint was registered.',
    payload: record({
      complaintNo,
      customerId: nullable(entityId),
      category: oneOf(COMPLAINT_CATEGORIES),
      source: oneOf(COMPLAINT_SOURCES),
      registeredAt: isoTimestamp,
      dueDate: isoDate,
      branchId: entityId,
    }),
  }),
  'complaint.closed': eventType({
    producer: 'complaints',
    consumers: ['insights'],
    description: 'A complaint was archived (closed), on time or not.',
    payload: record({ complaintNo, customerId: nullable(entityId), closedAt: isoTimestamp, onTime: flag }),
  }),
} satisfies EventCatalog;

export type ProductionEventCatalog = typeof EVENT_TYPES;
export type EventType = keyof ProductionEventCatalog;
export type EventPayload<T extends EventType> = PayloadOf<ProductionEventCatalog[T]>;

/** An event as it is stored in the outbox, sent and received. */
export interface EventEnvelope<TPayload = unknown, TType extends string = string> {
  /** UUIDv7: unique, sortable by creation. The receivers' inboxes are keyed by it. */
  id: string;
  type: TType;
  producer: string;
  /** The record the event is about, `Type:key` (e.g. `Customer:123`): events of one record arrive in order. */
  aggregate: string;
  /** The producer's outbox sequence: increasing in the order the producer committed the events of one record. */
  sequence: number;
  /** From the producer's injectable clock. */
  occurredAt: string;
  payload: TPayload;
}

/** What a producer records: the envelope's other fields are filled in by the outbox. */
export type EventDraft<C extends EventCatalog = ProductionEventCatalog> = {
  [T in keyof C & string]: { type: T; aggregate: string; payload: PayloadOf<C[T]> };
}[keyof C & string];

/** The envelope a handler of type T gets, with its payload checked and typed. */
export type EventOf<C extends EventCatalog, T extends keyof C & string> = EventEnvelope<PayloadOf<C[T]>, T>;

/** `Type:key`, a GraphQL type name and a key of at most 120 printable characters. */
export const AGGREGATE = /^[A-Z][A-Za-z0-9]{0,63}:[\x21-\x7e]{1,120}$/;
const SUBGRAPH_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

const envelopeShape = record({
  id: text(EVENT_ID, 'a UUIDv7 event id', 36),
  type: text(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/, 'an event type such as claim.closed', 100),
  producer: text(SUBGRAPH_NAME, 'a subgraph name', 60),
  aggregate: text(AGGREGATE, 'a record key such as Customer:123', 200),
  sequence: integer(1, Number.MAX_SAFE_INTEGER),
  occurredAt: isoTimestamp,
  payload: (value: unknown): CheckResult<unknown> => ({ ok: true, value }),
});

/**
 * An envelope as received, checked against the catalog: its shape, a type the catalog names, the type's
 * producer as the sender, and the payload. Failures name the field and the reason.
 */
export function checkEnvelope(catalog: EventCatalog, value: unknown): CheckResult<EventEnvelope> {
  const shape = envelopeShape(value, '');
  if (!shape.ok) return shape;
  const envelope = shape.value as Checked<typeof envelopeShape>;
  const definition = Object.prototype.hasOwnProperty.call(catalog, envelope.type) ? catalog[envelope.type] : undefined;
  if (!definition) return { ok: false, field: 'type', reason: `is not an event type this subgraph knows (${envelope.type})` };
  if (definition.producer !== envelope.producer) return { ok: false, field: 'producer', reason: `${envelope.type} is produced by ${definition.producer} only` };
  const payload = definition.payload(envelope.payload, 'payload');
  if (!payload.ok) return payload;
  return { ok: true, value: { ...envelope, payload: payload.value } };
}

/** The catalog entry of a type, if the catalog names it (own properties only). */
export function eventTypeDefinition(catalog: EventCatalog, type: string): EventTypeDefinition<unknown> | undefined {
  return Object.prototype.hasOwnProperty.call(catalog, type) ? catalog[type] : undefined;
}

/** The subgraphs `subgraph` sends events to, and those it receives events from, by the catalog. */
export function eventPeersOf(catalog: EventCatalog, subgraph: string): { consumers: string[]; producers: string[]; consumedTypes: string[] } {
  const consumers = new Set<string>();
  const producers = new Set<string>();
  const consumedTypes: string[] = [];
  for (const [type, definition] of Object.entries(catalog)) {
    if (definition.producer === subgraph) for (const consumer of definition.consumers) consumers.add(consumer);
    if (definition.consumers.includes(subgraph)) {
      producers.add(definition.producer);
      consumedTypes.push(type);
    }
  }
  return { consumers: [...consumers].sort(), producers: [...producers].sort(), consumedTypes };
}
