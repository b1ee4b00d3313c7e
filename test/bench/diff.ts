import { runDiff } from '../../scripts/diff/command.ts';
import { ALL_TOOLS, ensureTools } from '../../scripts/tools/install.ts';
import { commitOnMain, fleetWithOrigin, gitIn } from '../helpers/git-fleet.ts';
import { startChartRepository } from '../helpers/chart-repo.ts';
import { benchArgs } from './args.ts';

/** bench:diff — diff of a one-cluster change on the default fleet (first run renders the head leaf; second is all cached). */
benchArgs(`usage: npm run bench:diff

Measures npm run diff for a one-cluster change on the default fleet: the first run renders the head
leaf, the second finds everything in the render cache.`);
await ensureTools(ALL_TOOLS, console.log);
const repository = await startChartRepository();
try {
  process.env.MONITORING_GITOPS_HELM_MIRRORS = ['https://prometheus-community.github.io/helm-charts', 'https://grafana-community.github.io/helm-charts']
    .map((c) => `${c}=${repository.url}`)
    .join(',');
  const { root } = await fleetWithOrigin();
  const base = gitIn(root, 'rev-parse', 'HEAD');
  const retention = `${Math.floor(Math.random() * 1000) + 30}d`; // a value never rendered before: the head side is a cache miss
  await commitOnMain(
    root,
    'clusters/prod-eu-1.yaml',
    (t) => t.replace('  prometheus:\n    enabled: true\n', `  prometheus:\n    enabled: true\n    values:\n      server:\n        retention: ${retention}\n`),
    'one cluster',
  );
  console.log('bench:diff  default fleet, one-cluster value change');
  for (const label of ['head render not cached', 'all cached']) {
    const outcome = await runDiff({ root, base, head: 'HEAD' });
    console.log(`  ${label}: ${outcome.seconds.toFixed(2)} s  rendered clusters=${outcome.rendered.join(',')}  changed=${outcome.diff.changed.length}`);
  }
} finally {
  await repository.stop();
  process.exit(0);
}
