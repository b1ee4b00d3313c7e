import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureCatalog } from '../../scripts/catalog/build.ts';
import { runDiff } from '../../scripts/diff/command.ts';
import { runGenerate } from '../../scripts/generate/command.ts';
import { cacheDir } from '../../scripts/lib/cache.ts';
import { mapLimit } from '../../scripts/lib/concurrency.ts';
import { run } from '../../scripts/lib/exec.ts';
import { readInventory } from '../../scripts/inventory/read.ts';
import { ALL_TOOLS, ensureTools } from '../../scripts/tools/install.ts';
import { formatText, reportData } from '../../scripts/validate/report.ts';
import { runValidate } from '../../scripts/validate/run.ts';
import { startChartRepository } from '../helpers/chart-repo.ts';
import { gitIn } from '../helpers/git-fleet.ts';
import { benchArgs } from './args.ts';
import { writeSyntheticFleet } from './fleet.ts';

const HELP = `usage: npm run bench:fleet [-- CLUSTERS [SHARD_COUNTS [naive|no-naive]]]

Builds a synthetic fleet of CLUSTERS clusters (default 200) on the test charts, served by a local Helm
repository, and prints in one run: generate; validate cold, warm (no-op), after a one-cluster change and
after a base change; diff for the two changes; the same leaves through a naive CI loop
(kustomize build --enable-helm | kubeconform per leaf, 2 at a time); the ratios; the slowest shard of a
cold fleet-wide validate for 1, 2, 4 and 8 shards (run one after another); and the peak memory.
Targets at 1,000 clusters: warm ≤ 3 s, one-cluster validate and diff ≤ 3 s each, slowest of 8 shards ≤ 45 s,
cold ≥ 1.5× the naive loop, memory ≤ 2 GiB. SHARD_COUNTS (default 1,2,4,8) picks the shard counts, e.g.
8 alone at 1,000 clusters, where each count costs about one more cold run; "none" for no shard runs.
no-naive skips the naive loop (minutes at 1,000 clusters) when only the toolkit's figures are wanted.`;

const [clustersArg, shardsArg, naiveArg] = benchArgs(HELP, 3);
const CLUSTERS = Number(clustersArg ?? 200);
const SHARD_COUNTS = shardsArg === 'none' ? [] : (shardsArg ?? '1,2,4,8').split(',').map(Number);
const NAIVE = naiveArg !== 'no-naive';
const CANONICAL = ['https://prometheus-community.github.io/helm-charts', 'https://grafana-community.github.io/helm-charts'];

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const seconds = async <T>(work: () => Promise<T>): Promise<[number, T]> => {
  const t0 = performance.now();
  const result = await work();
  return [(performance.now() - t0) / 1000, result];
};
const commitAll = (root: string, message: string) => {
  gitIn(root, 'add', '-A');
  gitIn(root, 'commit', '--quiet', '-m', message);
};
const edit = (path: string, from: RegExp, to: string) => {
  const text = readFileSync(path, 'utf8');
  if (!from.test(text)) throw new Error(`${path}: ${from} not found`);
  writeFileSync(path, text.replace(from, to));
};

await ensureTools(ALL_TOOLS, console.log);
const sharedCache = cacheDir();
const benchCache = mkdtempSync(join(tmpdir(), 'bench-fleet-cache-'));
for (const part of ['tools', 'catalog']) symlinkSync(join(sharedCache, part), join(benchCache, part));
process.env.MONITORING_GITOPS_CACHE = benchCache;
const repository = await startChartRepository();
process.env.MONITORING_GITOPS_HELM_MIRRORS = CANONICAL.map((c) => `${c}=${repository.url}`).join(',');
const root = mkdtempSync(join(tmpdir(), 'bench-fleet-'));
/** Cold: no chart, render or check result cached (tools and schema catalogs are built once per machine). */
const makeCold = () => {
  for (const part of ['charts', 'renders', 'results', 'helm']) rmSync(join(benchCache, part), { recursive: true, force: true });
};
const quiet = { progress: () => {} };
try {
  await writeSyntheticFleet(root, CLUSTERS);
  // The leaves name the local repository too, so that the naive loop's kustomize pulls what validate pulls.
  writeFileSync(
    join(root, 'fleet.yaml'),
    `${readFileSync(join(root, 'fleet.yaml'), 'utf8')}chartMirrors:\n${CANONICAL.map((c) => `  ${c}: ${repository.url}\n`).join('')}`,
  );
  gitIn(root, 'init', '--quiet');
  const [generate] = await seconds(() => runGenerate(root));
  commitAll(root, 'fleet');
  const leaves = (await readInventory(root)).clusters.reduce((n, c) => n + Object.values(c.apps).filter((a) => a?.enabled).length, 0);
  console.log(`bench:fleet  clusters=${CLUSTERS}  leaves=${leaves}  (test charts, 2 cores)`);
  console.log(`  generate                            ${generate.toFixed(2)} s`);

  // Schema catalogs are per Kubernetes version and per machine, like the tools: built before any timing.
  for (const version of new Set((await readInventory(root)).clusters.map((c) => c.kubernetesVersion))) await ensureCatalog(version);
  makeCold();
  const verbose = process.env.BENCH_VERBOSE ? { progress: (line: string) => console.log(`    ${line}`) } : quiet;
  const [cold, coldReport] = await seconds(() => runValidate({ root, ...verbose }));
  // As the CLI does it: the run, then its report (the table counts every leaf's resources).
  const [warm, warmReport] = await seconds(async () => {
    const report = await runValidate({ root, ...quiet });
    formatText(reportData(report));
    return report;
  });
  console.log(`  validate cold (every check)         ${cold.toFixed(1)} s  findings=${coldReport.findings.length}`);
  console.log(
    `  validate warm (no-op)               ${warm.toFixed(2)} s  check results cached ${warmReport.cache?.hits}/${(warmReport.cache?.hits ?? 0) + (warmReport.cache?.misses ?? 0)}`,
  );

  const first = (await readInventory(root)).clusters[0]!;
  edit(join(root, first.file), /retention: \d+d/, 'retention: 45d');
  await runGenerate(root);
  commitAll(root, 'one cluster');
  const [oneValidate, oneReport] = await seconds(() => runValidate({ root, changedSince: 'HEAD~1', ...quiet }));
  const [oneDiff, oneDiffOutcome] = await seconds(() => runDiff({ root, base: 'HEAD~1', head: 'HEAD' }));
  console.log(
    `  one-cluster change: validate        ${oneValidate.toFixed(2)} s  (${new Set(oneReport.rendered.map((r) => r.leaf.cluster.name)).size} cluster)`,
  );
  console.log(`  one-cluster change: diff            ${oneDiff.toFixed(2)} s  (${oneDiffOutcome.diff.changed.length} cluster changed)`);

  edit(join(root, 'base/prometheus/values.yaml'), /evaluation_interval: 1m/, 'evaluation_interval: 30s');
  await runGenerate(root);
  commitAll(root, 'base');
  const [baseValidate, baseReport] = await seconds(() => runValidate({ root, changedSince: 'HEAD~1', ...quiet }));
  const [baseDiff, baseDiffOutcome] = await seconds(() => runDiff({ root, base: 'HEAD~1', head: 'HEAD' }));
  console.log(
    `  base change: validate               ${baseValidate.toFixed(1)} s  (${new Set(baseReport.rendered.map((r) => r.leaf.cluster.name)).size} clusters)`,
  );
  console.log(`  base change: diff                   ${baseDiff.toFixed(1)} s  (${baseDiffOutcome.diff.changed.length} clusters changed)`);

  if (NAIVE) {
    const [naive] = await seconds(() => naiveLoop(root));
    console.log(`  naive loop, 2 at a time             ${naive.toFixed(1)} s  (render + kubeconform only)`);
    console.log(`  ratio naive / toolkit cold          ${(naive / cold).toFixed(2)}×  (target ≥ 1.5×, toolkit running every check)`);
  }
  console.log(`  ratio cold / warm                   ${(cold / warm).toFixed(0)}×`);

  for (const count of SHARD_COUNTS) {
    let slowest = 0;
    for (let index = 1; index <= count; index++) {
      makeCold();
      const [s] = await seconds(() => runValidate({ root, shard: { index, count }, ...quiet }));
      slowest = Math.max(slowest, s);
    }
    console.log(`  cold fleet-wide, ${count} shard${count > 1 ? 's' : ' '}: slowest   ${slowest.toFixed(1)} s`);
  }
  console.log(`  peak memory (RSS of this process)   ${(peakRss / 2 ** 20).toFixed(0)} MiB  (target ≤ 2048)`);
} finally {
  clearInterval(sampler);
  await repository.stop();
  rmSync(root, { recursive: true, force: true });
  rmSync(benchCache, { recursive: true, force: true });
}

/** What a CI job without this toolkit does: per leaf, `kustomize build --enable-helm | kubeconform -strict`, 2 at a time. */
async function naiveLoop(fleet: string): Promise<void> {
  const tools = await ensureTools(['kustomize', 'helm', 'kubeconform']);
  const inventory = await readInventory(fleet);
  const work = mkdtempSync(join(tmpdir(), 'bench-naive-'));
  try {
    const jobs = inventory.clusters.flatMap((c) =>
      Object.entries(c.apps)
        .filter(([, a]) => a?.enabled)
        .map(([app]) => ({ cluster: c, dir: join(fleet, 'overlays', c.environment, c.name, app) })),
    );
    await mapLimit(jobs, 2, async ({ cluster, dir }) => {
      const catalog = await ensureCatalog(cluster.kubernetesVersion);
      const home = join(work, `${cluster.name}-${dir.split('/').pop()}`);
      mkdirSync(home, { recursive: true });
      const env = { ...process.env, HELM_CACHE_HOME: join(home, 'c'), HELM_CONFIG_HOME: join(home, 'f'), HELM_DATA_HOME: join(home, 'd') };
      const built = await run(tools.kustomize, ['build', dir, '--enable-helm', '--helm-command', tools.helm], { env });
      if (built.exitCode !== 0) throw new Error(`naive loop: kustomize build ${dir} failed:\n${built.stderr}`);
      const locations = catalog.schemaLocations.flatMap((l) => ['-schema-location', l]);
      await run(tools.kubeconform, ['-strict', '-summary', '-kubernetes-version', cluster.kubernetesVersion, ...locations, '-'], { input: built.stdout });
      rmSync(join(dir, 'charts'), { recursive: true, force: true });
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
