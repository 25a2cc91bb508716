import { defineStateMachine } from '@icg/shared';
import type { PolicyStatus } from './domain';

/**
 * A policy's states (DOMAIN.md section 4): quoted → bound → in force → expired / renewed / cancelled /
 * lapsed; cancelled or lapsed may be reinstated. Staff move a policy by quote, bind, cancel and reinstate;
 * the policy clock moves it when a date arrives (in force on its effective date, expired or renewed on
 * its expiry date, lapsed when the grace period for an unpaid premium runs out).
 */
export const policyLifecycle = defineStateMachine<PolicyStatus>('policy', {
  // Bound; in force at once when cover starts the day it is bound.
  QUOTED: ['BOUND', 'IN_FORCE'],
  BOUND: ['IN_FORCE', 'CANCELLED'],
  IN_FORCE: ['EXPIRED', 'RENEWED', 'CANCELLED', 'LAPSED'],
  // A renewal bound after the policy ran out still renews it.
  EXPIRED: ['RENEWED'],
  RENEWED: [],
  // Reinstated: bound again when cover has not started yet, else in force.
  CANCELLED: ['BOUND', 'IN_FORCE'],
  LAPSED: ['IN_FORCE'],
});

/** The statuses a policy is covering (or will cover) in: what a cancellation ends. */
export const COVERING_STATUSES: readonly PolicyStatus[] = ['BOUND', 'IN_FORCE'];
