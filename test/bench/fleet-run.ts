import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
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
import { runValidate, selectedClusters } from '../../scripts/validate/run.ts';
import { inShard } from '../../scripts/lib/shard.ts';
import { startChartRepository } from '../helpers/chart-repo.ts';
import { gitIn } from '../helpers/git-fleet.ts';
import { benchOptions } from './args.ts';
import { settleDisk } from './disk.ts';
import { writeSyntheticFleet } from './fleet.ts';

const HELP = `usage: npm run bench:fleet [-- CLUSTERS [SHARDS [naive|no-naive]] [--charts URL]]

Builds a synthetic fleet of CLUSTERS clusters (default 200), served by a local Helm repository of the test
charts (or by the chart repository at URL: --charts http://127.0.0.1:18777 for the real charts packaged
locally), and prints in one run: generate (first run, then with nothing to do); the largest shard of a
fleet-wide validate cold (by cluster count, as validate --list --shard sizes CI's matrix) for each count of
SHARDS (default 8; a list such as 1,8,64, or "none"), each on empty caches; validate cold over the whole
fleet (every check); warm (no-op); after a one-cluster change; after a base change (up to 2,000 clusters: above,
a base change is a fleet-wide re-render, as cold); diff for the two changes; the same leaves through a naive CI
loop (kustomize build --enable-helm | kubeconform per leaf, 2 at a time) and the ratios; the peak memory.
Targets at 10,000 clusters: generate ≤ 10 s (no change ≤ 5 s), warm ≤ 3 s, one-cluster validate and diff ≤ 3 s,
largest of 64 shards ≤ 60 s, memory ≤ 4 GiB. On the real charts at 1,000: warm, one-cluster validate and diff
≤ 3 s, cold and base change ≥ 2× the naive loop. no-naive skips the naive loop (minutes at 1,000 clusters).`;

const { positionals, options } = benchOptions(HELP, 3, ['charts']);
const [clustersArg, shardsArg, naiveArg] = positionals;
const CLUSTERS = Number(clustersArg ?? 200);
const SHARD_COUNTS = shardsArg === 'none' ? [] : (shardsArg ?? '8').split(',').map(Number);
const NAIVE = naiveArg !== 'no-naive';
const BASE_CHANGE = CLUSTERS <= 2000;
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
const line = (label: string, value: string) => console.log(`  ${label.padEnd(38)}${value}`);

/** What fleet-step.ts reports of one step. */
interface StepResult {
  seconds: number;
  /** The whole command's seconds, node's start and module loading included. */
  command?: number;
  peakRssMiB: number;
  hits?: number;
  misses?: number;
  clusters?: number;
  changed?: number;
}

/**
 * A warm or one-change step in a fresh process, as a user's `npm run validate` or `npm run diff` runs it (not
 * after the cold run in this process, whose heap and loaded modules a command never has): the step's seconds,
 * and the whole command's (node's start and module loading included).
 */
async function inOwnProcess(step: 'warm' | 'changed' | 'diff', root: string): Promise<StepResult> {
  const t0 = performance.now();
  const result = await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fleet-step.ts'), step, root]);
  const command = (performance.now() - t0) / 1000;
  if (result.exitCode !== 0) throw new Error(`bench step ${step} failed:\n${result.stderr}`);
  return { ...(JSON.parse(result.stdout.trim().split('\n').at(-1)!) as StepResult), command };
}

/** Fresh-process steps run this many times: the median is the figure, with the range beside it (a shared machine is noisy). */
const REPEATS = 3;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** "2.41 s (2.20–2.90; 3.52 s as a command)": the step's median and range, and the median of the whole commands. */
function figure(runs: StepResult[]): string {
  const seconds = runs.map((r) => r.seconds);
  const range = `${Math.min(...seconds).toFixed(2)}–${Math.max(...seconds).toFixed(2)}`;
  return `${median(seconds).toFixed(2)} s (${range}; ${median(runs.map((r) => r.command!)).toFixed(2)} s as a command)`;
}

await ensureTools(ALL_TOOLS, console.log);
const sharedCache = cacheDir();
const benchCache = mkdtempSync(join(tmpdir(), 'bench-fleet-cache-'));
for (const part of ['tools', 'catalog']) symlinkSync(join(sharedCache, part), join(benchCache, part));
process.env.MONITORING_GITOPS_CACHE = benchCache;
const repository = options.charts ? { url: options.charts.replace(/\/$/, ''), stop: async () => {} } : await startChartRepository();
process.env.MONITORING_GITOPS_HELM_MIRRORS = CANONICAL.map((c) => `${c}=${repository.url}`).join(',');
const root = mkdtempSync(join(tmpdir(), 'bench-fleet-'));
/** Cold: no chart, render, check result, memo or compiled schema cached (tools and schema catalogs are built once per machine). */
const makeCold = () => {
  for (const part of ['charts', 'renders', 'results', 'helm', 'memo', 'compiled-schemas']) rmSync(join(benchCache, part), { recursive: true, force: true });
};
const quiet = { progress: () => {} };
try {
  await writeSyntheticFleet(root, CLUSTERS);
  // The leaves name the chart repository too, so that the naive loop's kustomize pulls what validate pulls.
  writeFileSync(
    join(root, 'fleet.yaml'),
    `${readFileSync(join(root, 'fleet.yaml'), 'utf8')}chartMirrors:\n${CANONICAL.map((c) => `  ${c}: ${repository.url}\n`).join('')}`,
  );
  gitIn(root, 'init', '--quiet');
  const disk = await settleDisk();
  const [generate] = await seconds(() => runGenerate(root));
  commitAll(root, 'fleet');
  const [generateNoop, noop] = await seconds(() => runGenerate(root));
  if (noop.written.length || noop.removed.length) throw new Error('generate wrote files on its second run');
  const leaves = (await readInventory(root)).clusters.reduce((n, c) => n + Object.values(c.apps).filter((a) => a?.enabled).length, 0);
  console.log(
    `bench:fleet  clusters=${CLUSTERS}  leaves=${leaves}  (${options.charts ? `charts from ${options.charts}` : 'test charts'}, ${cpus().length} cores)`,
  );
  line('generate', `${generate.toFixed(2)} s  (${disk} before)`);
  line('generate, nothing to do', `${generateNoop.toFixed(2)} s`);

  // Schema catalogs are per Kubernetes version and per machine, like the tools: built before any timing.
  for (const version of new Set((await readInventory(root)).clusters.map((c) => c.kubernetesVersion))) await ensureCatalog(version);
  for (const count of SHARD_COUNTS) {
    // What validate --list --shard I/N counts, for every I at once.
    const names = await selectedClusters({ root });
    const sizes = Array.from({ length: count }, (_, i) => names.filter((n) => inShard(n, { index: i + 1, count })));
    const largest = sizes.reduce((best, s, i) => (s.length > sizes[best]!.length ? i : best), 0);
    makeCold();
    const [s] = await seconds(() => runValidate({ root, shard: { index: largest + 1, count }, ...quiet }));
    line(`cold, largest of ${count} shard${count > 1 ? 's' : ''}`, `${s.toFixed(1)} s  (shard ${largest + 1}: ${sizes[largest]!.length} clusters)`);
  }
  makeCold();
  const verbose = process.env.BENCH_VERBOSE ? { progress: (text: string) => console.log(`    ${text}`) } : quiet;
  const [cold, coldReport] = await seconds(() => runValidate({ root, ...verbose }));
  line('validate cold (every check)', `${cold.toFixed(1)} s  findings=${coldReport.findings.length}`);
  const warm: StepResult[] = [];
  for (let i = 0; i < REPEATS; i++) warm.push(await inOwnProcess('warm', root));
  line('validate warm (no-op)', `${figure(warm)}  clusters cached ${warm[0]!.hits}/${Number(warm[0]!.hits) + Number(warm[0]!.misses)}`);

  // A change to another cluster each time: a repeated change would find its results cached.
  const clusters = (await readInventory(root)).clusters;
  const oneValidate: StepResult[] = [];
  const oneDiff: StepResult[] = [];
  for (let i = 0; i < REPEATS; i++) {
    edit(join(root, clusters[(i * 997) % clusters.length]!.file), /retention: \d+d/, `retention: ${45 + i}d`);
    await runGenerate(root);
    commitAll(root, `one cluster (${i + 1})`);
    oneValidate.push(await inOwnProcess('changed', root));
    oneDiff.push(await inOwnProcess('diff', root));
  }
  line('one-cluster change: validate', `${figure(oneValidate)}  (${oneValidate[0]!.clusters} cluster)`);
  line('one-cluster change: diff', `${figure(oneDiff)}  (${oneDiff[0]!.changed} cluster changed)`);

  let baseValidate = 0;
  if (BASE_CHANGE) {
    edit(join(root, 'base/prometheus/values.yaml'), /evaluation_interval: 1m/, 'evaluation_interval: 30s');
    await runGenerate(root);
    commitAll(root, 'base');
    const [validated, baseReport] = await seconds(() => runValidate({ root, changedSince: 'HEAD~1', ...quiet }));
    const [baseDiff, baseDiffOutcome] = await seconds(() => runDiff({ root, base: 'HEAD~1', head: 'HEAD' }));
    baseValidate = validated;
    line('base change: validate', `${baseValidate.toFixed(1)} s  (${new Set(baseReport.rendered.map((r) => r.leaf.cluster.name)).size} clusters)`);
    line('base change: diff', `${baseDiff.toFixed(1)} s  (${baseDiffOutcome.diff.changed.length} clusters changed)`);
  } else line('base change', 'skipped above 2,000 clusters (a fleet-wide re-render: see cold)');

  if (NAIVE) {
    const [naive] = await seconds(() => naiveLoop(root));
    line('naive loop, 2 at a time', `${naive.toFixed(1)} s  (render + kubeconform only)`);
    line('ratio naive / toolkit cold', `${(naive / cold).toFixed(2)}×  (target ≥ 2×, toolkit running every check)`);
    if (BASE_CHANGE) line('ratio naive / toolkit base change', `${(naive / baseValidate).toFixed(2)}×  (target ≥ 2×)`);
  }
  line('ratio cold / warm', `${(cold / median(warm.map((w) => w.seconds))).toFixed(0)}×`);
  const stepsPeak = Math.max(...[...warm, ...oneValidate, ...oneDiff].map((s) => s.peakRssMiB));
  line('peak memory (RSS, any one process)', `${Math.max(peakRss / 2 ** 20, stepsPeak).toFixed(0)} MiB  (target ≤ 4096)`);
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
