import { runSubgraphProcess } from '@icg/shared';
import { readApprovalLimits } from './approval-authority';
import { claimsSubgraph } from './server';

// CLAIM_APPROVAL_LIMITS is read at start, so a bad value stops the process with the variable named.
runSubgraphProcess('claims', () => {
  readApprovalLimits();
  return claimsSubgraph;
});
