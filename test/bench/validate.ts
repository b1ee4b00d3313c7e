import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGeneratedTree } from '../../scripts/generate/apply.ts';
import { cacheDir } from '../../scripts/lib/cache.ts';
import { ALL_TOOLS, ensureTools } from '../../scripts/tools/install.ts';
import { runValidate } from '../../scripts/validate/run.ts';
import { startChartRepository } from '../helpers/chart-repo.ts';
import { benchArgs } from './args.ts';

/**
 * bench:validate — validate on the embedded default fleet, cold (empty chart and render caches) and warm,
 * with the test charts served by a local Helm repository through the mirror map.
 */
benchArgs(`usage: npm run bench:validate

Runs validate on the embedded default fleet twice, cold (empty chart and render caches) and warm, with
the test charts served by a local Helm repository through the mirror map, and prints the times.`);
const root = new URL('../../', import.meta.url).pathname;
await ensureTools(ALL_TOOLS, console.log);
const sharedCache = cacheDir();
const benchCache = mkdtempSync(join(tmpdir(), 'bench-validate-cache-'));
const repository = await startChartRepository();
try {
  mkdirSync(benchCache, { recursive: true });
  // Tools and schema catalogs are built once per machine; cold here means no chart and no render cached.
  for (const part of ['tools', 'catalog']) symlinkSync(join(sharedCache, part), join(benchCache, part));
  process.env.MONITORING_GITOPS_CACHE = benchCache;
  process.env.MONITORING_GITOPS_HELM_MIRRORS = ['https://prometheus-community.github.io/helm-charts', 'https://grafana-community.github.io/helm-charts']
    .map((c) => `${c}=${repository.url}`)
    .join(',');
  console.log('bench:validate  default fleet');
  for (const label of ['cold', 'warm']) {
    const report = await runValidate({ root });
    const rendered = report.rendered.reduce((n, r) => n + r.objects.length, 0);
    const argo = [...(await readGeneratedTree(root)).entries()]
      .filter(([p]) => p.startsWith('apps/'))
      .reduce((n, [, text]) => n + (text.match(/^kind: /gm)?.length ?? 0), 0);
    console.log(
      `  ${label}: ${report.seconds.toFixed(1)} s  leaves=${report.rendered.length}  rendered resources=${rendered}  Argo CD objects=${argo}  findings=${report.findings.length}`,
    );
  }
} finally {
  await repository.stop();
  rmSync(benchCache, { recursive: true, force: true });
}
