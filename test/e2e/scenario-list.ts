/**
 * The e2e's scenarios in the order they run, each with the line `npm run e2e -- --help` prints for it.
 * Kept apart from the scenarios themselves so that the usage needs none of the harness.
 * promote before prune: the promotion follows dev-1's Grafana, which prune then disables; roots last: it removes a cluster.
 */
export const SCENARIOS = [
  { name: 'steady', summary: 'every Application stays Synced and Healthy a further minute (E2E_STEADY_SECONDS)' },
  { name: 'pipeline', summary: "the fire drill on dev-1: alerts fire and reach Slack and email, dashboards' queries return data" },
  { name: 'drift', summary: 'drift --argocd-url is clean on the converged fleet, then reports a hand edit made with self-heal off' },
  { name: 'change', summary: 'a value changed for prod-eu-1 reaches prod-eu-1 only, as diff predicted' },
  { name: 'selfheal', summary: 'self-heal reverts a hand edit of a live object' },
  { name: 'retry', summary: 'a sync the API server refuses is retried with backoff, and the fix pushed meanwhile lands at the next retry (retry.refresh)' },
  { name: 'promote', summary: "dev → staging through dev's promotion gate (refused, opened, refused by an alert, --override); adds staging-1" },
  { name: 'prune', summary: "disabling dev-1's Grafana prunes it and keeps its volume claim Bound" },
  { name: 'roots', summary: 'a change to every root reaches the hub from Git; a removed cluster keeps its workloads until "Remove a cluster"' },
] as const;

export type ScenarioName = (typeof SCENARIOS)[number]['name'];
