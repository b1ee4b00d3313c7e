/**
 * The commit status promote sets on the head commit of the promotion pull request: branch protection can require
 * it, so a pull request whose promotion was refused cannot be merged.
 */
export const PROMOTION_GATE_CONTEXT = 'monitoring-gitops/promotion-gate';
