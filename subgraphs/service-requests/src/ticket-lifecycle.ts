import { defineStateMachine, type ServiceRequestStatus } from '@icg/shared';

/**
 * The hotline ticket lifecycle (DOMAIN.md section 4): new → triaged → assigned → in progress →
 * (pending customer: the SLA clock stops) → resolved → closed, and reopened back to in progress.
 * Each status lists the statuses a ticket may move to next; anything else is INVALID_TRANSITION.
 */
export const TICKET_TRANSITIONS: { readonly [From in ServiceRequestStatus]: readonly ServiceRequestStatus[] } = {
  // Tickets from self-service channels arrive NEW; assigning one triages it on the way.
  NEW: ['TRIAGED', 'ASSIGNED'],
  TRIAGED: ['ASSIGNED'],
  // Assigning again before the work starts hands the ticket to another agent.
  ASSIGNED: ['ASSIGNED', 'IN_PROGRESS'],
  IN_PROGRESS: ['PENDING_CUSTOMER', 'RESOLVED'],
  PENDING_CUSTOMER: ['IN_PROGRESS'],
  // Reopened when the customer comes back on the same matter.
  RESOLVED: ['CLOSED', 'IN_PROGRESS'],
  CLOSED: ['IN_PROGRESS'],
};

export const ticketLifecycle = defineStateMachine<ServiceRequestStatus>('service request', TICKET_TRANSITIONS);
