import { reportError } from '../../scripts/lib/errors.ts';
import { endIfInterrupted } from '../../scripts/lib/exit.ts';
import { E2E_HELP, parseE2eArgs } from './args.ts';

/**
 * npm run e2e [-- --only steady,change,…]: a real Argo CD syncing a generated fleet of one dev and one
 * prod cluster (and one staging cluster when the promotion scenario runs). Prints the table and `e2e: n/n Applications Synced and Healthy on k clusters in s s`,
 * `e2e: argocd sharding: …` (which controller replica reconciles which cluster), then, with the pipeline scenario, the fire drill's `pipeline: HighCpuUsage fired in …` line.
 * Every process stops at the end, on failure and on Ctrl-C. --help prints the usage (E2E_HELP).
 */
const args = (() => {
  try {
    return parseE2eArgs(process.argv.slice(2));
  } catch (err) {
    process.exit(reportError(err));
  }
})();
if (args.help) {
  console.log(E2E_HELP);
  process.exit(0);
}
const only = args.only;
// The harness only now: --help and usage errors build and load none of it.
const { E2E_CLUSTERS, E2E_PROMOTION_CLUSTERS, clusterNames, expectedApplications, prometheusAvailableAt, startE2e } = await import('./harness.ts');
const { describeShards, waitSharded } = await import('./sharding.ts');
const { listApplications, table, waitConverged, waveViolations } = await import('./status.ts');
const { runScenarios } = await import('./scenarios.ts');
const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}`);
const started = Date.now();
const clusters = only.includes('promote') ? E2E_PROMOTION_CLUSTERS : E2E_CLUSTERS;
const e2e = await startE2e(log, clusters).catch((err) => {
  endIfInterrupted();
  throw err;
});
let code = 0;
try {
  const expected = expectedApplications(clusters);
  const seconds = await waitConverged(e2e.argocd.url, e2e.token, expected, { revision: e2e.repo.head() });
  const apps = await listApplications(e2e.argocd.url, e2e.token);
  console.log(table(apps, seconds));
  const healthy = apps.filter((a) => seconds.has(a.name)).length;
  const waves = waveViolations(apps, await prometheusAvailableAt(e2e));
  if (waves.length) throw new Error(`sync waves out of order: ${waves.join('; ')}`);
  log('sync waves in order: each Grafana Application created after its prometheus-server was Available');
  // Each replica's /metrics lists only the Applications and cluster caches of its shard.
  const sharding = await waitSharded(e2e.argocd.controllers, expected, clusterNames(e2e));
  if (sharding.problems.length) throw new Error(`controller sharding: ${sharding.problems.join('; ')}`);
  const algorithm = e2e.cmdParams['controller.sharding.algorithm'] ?? 'legacy';
  const shardLine = `e2e: argocd sharding: ${sharding.shards.length} application-controller replicas (${algorithm}): ${describeShards(sharding)}`;
  log(shardLine.slice('e2e: '.length));
  const summaries = await runScenarios(e2e, only, log);
  console.log(
    `e2e: ${healthy}/${apps.length} Applications Synced and Healthy on ${clusters.length} clusters in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  console.log(shardLine);
  // The fire drill's line last: `npm run e2e -- --only pipeline` ends with what reached a person.
  for (const line of summaries) console.log(line);
} catch (err) {
  endIfInterrupted();
  console.error(err instanceof Error ? err.message : err);
  console.error(`logs: ${e2e.argocd.logDir}`);
  code = 1;
} finally {
  await e2e.stop();
}
process.exit(code);
