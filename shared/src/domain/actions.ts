/**
 * Every action a mutation performs, named once (issue "CRM workflows as mutations"). The access policy's
 * `actions` section grants them to roles (shared/access-policy.yaml); its loader refuses a name not listed
 * here, so a typo in the file can never grant something the code does not do, and `runMutation` takes only
 * these names, so the code can never perform something the file cannot name.
 *
 * Names are `<record>.<step>` (more dots for sub-steps), lower camel case between the dots.
 */
export const WORKFLOW_ACTIONS = [
  // Customer record maintenance (customers).
  'customer.create',
  'customer.change.propose',
  'customer.change.complete',
  'customer.change.approve',
  'customer.change.reject',
  'customer.change.return',
  'customer.change.resubmit',
  'customer.change.withdraw',

  // Customer managers (customers).
  'manager.assign',
  'manager.transfer',
  'manager.release',
  'manager.grade.change',
  'manager.grade.recertify',
  'manager.visitReport.submit',
  'customer.majorEvent.report',

  // Blacklist (customers; policies refuses blacklisted customers).
  'blacklist.propose',
  'blacklist.approve',
  'blacklist.reject',
  'blacklist.lift',
  'blacklist.expire',
  'blacklist.review',

  // Hotline (service-requests; a claim report and a complaint call also write to claims and complaints).
  'serviceRequest.open',
  'serviceRequest.assign',
  'serviceRequest.progress',
  'serviceRequest.pause',
  'serviceRequest.resume',
  'serviceRequest.resolve',
  'serviceRequest.close',
  'serviceRequest.reopen',
  'serviceRequest.claimReport',
  'serviceRequest.complaintCall',
  'serviceRequest.returnVisit',

  // Claims: the lifecycle, its guards and side exits.
  'claim.dispatch',
  'claim.survey',
  'claim.register',
  'claim.assess',
  'claim.documentsComplete',
  'claim.adjust',
  'claim.approve',
  'claim.pay',
  'claim.close',
  'claim.reopen',
  'claim.reserve.set',
  'claim.cancel',
  'claim.withdraw',
  'claim.deny',
  'claim.zeroClose',
  'claim.investigation.conclude',

  // Complaints: each step, deadlines and exits.
  'complaint.accept',
  'complaint.verify',
  'complaint.register',
  'complaint.transfer',
  'complaint.coordinate',
  'complaint.handle',
  'complaint.feedback',
  'complaint.archive',
  'complaint.extend',
  'complaint.extension.approve',
  'complaint.extension.notify',
  'complaint.escalate',
  'complaint.withdraw',
  'complaint.review.request',
  'complaint.review.decide',

  // Policies, and the scheduled renewal-reminder job.
  'policy.quote',
  'policy.bind',
  'policy.renew',
  'policy.cancel',
  'policy.reinstate',
  'policy.renewalReminders.run',

  // Insights: the early-warning desk (subgraphs/insights).
  'insight.warning.acknowledge',
  'insight.warning.resolve',
  'insight.warning.dismiss',

  // BI: registering a persisted operation with the gateway (README "For BI users").
  'operation.register',
] as const;
export type WorkflowAction = (typeof WORKFLOW_ACTIONS)[number];

const WORKFLOW_ACTION_SET: ReadonlySet<string> = new Set(WORKFLOW_ACTIONS);
export function isWorkflowAction(value: unknown): value is WorkflowAction {
  return typeof value === 'string' && WORKFLOW_ACTION_SET.has(value);
}

/**
 * The people a record names whom a two-person rule can exclude (`secondPerson` in the policy): the staff
 * member who proposed the record or change (a customer change, a blacklist entry, a complaint extension), and
 * the handler of a claim (a payment is approved by someone other than its handler).
 */
export const SECOND_PERSON_RULES = ['proposer', 'handler'] as const;
export type SecondPersonRule = (typeof SECOND_PERSON_RULES)[number];
