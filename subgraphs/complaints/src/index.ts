export { complaintsSubgraph, createComplaintsSubgraph } from './server';
export { DEFAULT_COMPLAINT_RULES, loadComplaintRules, type ComplaintRules } from './deadlines';
export type { ComplaintLoaders } from './loaders';
