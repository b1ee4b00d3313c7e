import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { hasCachedRender, readCachedRender, writeCachedRender } from './render-cache.ts';
import { parseAllDocuments } from 'yaml';
import { mapLimit } from '../lib/concurrency.ts';
import { run, tail } from '../lib/exec.ts';
import { runWorkDir, workTemp } from '../lib/work-dir.ts';
import { counter } from '../lib/progress.ts';
import { ensureCatalog } from '../catalog/build.ts';
import type { K8sObject } from '../lib/k8s.ts';
import { argoCdKustomizeArgs, servedApiVersions } from './argocd-build.ts';
import { ChartVersionMissing, ensureChart, type CachedChart } from './charts.ts';
import type { LeafSpec } from './leaves.ts';
import type { MirrorMap } from '../inventory/mirrors.ts';
import type { ChartPin } from '../inventory/types.ts';
import { startLeafRenderers, type KustomizeBuild } from './leaf-renderer.ts';

export interface RenderedLeaf {
  leaf: LeafSpec;
  /** `kustomize build` output, or undefined when rendering failed. */
  yaml?: string;
  objects: K8sObject[];
  /** Why rendering failed (tool output trimmed to what matters). */
  error?: string;
  /** The pinned chart version does not exist in its repository. */
  chartMissing?: boolean;
  /** Where the chart is unpacked (holds `<chart>/`), when it could be fetched. */
  chartHome?: string;
  cached: boolean;
  /** Hash of everything the render depends on (leaf files, chart, tools, flags): the check results cache keys on it. */
  renderKey?: string;
  /** How many resources the render holds, without parsing a cached render. */
  resourceCount?: number;
}

export interface RenderTools {
  helm: string;
  /** The pinned kustomize CLI: what Argo CD runs, and what the leaf renderer's output is tested against. */
  kustomize: string;
  /** tools/leaf-renderer: the same kustomize and helm, many leaves per process (scripts/render/leaf-renderer.ts). */
  leafRenderer: string;
}

/** Everything that changes a render, hashed: leaf files, chart files, tool builds (their paths hold their versions), the flags. */
function renderKey(leaf: LeafSpec, chart: CachedChart, tools: RenderTools, apiVersions: string[]): string {
  const hash = createHash('sha256').update(
    `${tools.helm}\0${tools.kustomize}\0${tools.leafRenderer}\0${chart.digest}\0${argoCdKustomizeArgs('', leaf.cluster.kubernetesVersion, apiVersions).join(' ')}\0`,
  );
  for (const f of leaf.files) hash.update(`${f.path}\0${f.content}\0`);
  return hash.digest('hex');
}

/**
 * Renders one leaf as Argo CD's repo-server does (same kustomize flags, same bundled helm), from a copy
 * that already holds the chart (so kustomize never pulls), with `kustomize`: the leaf renderer, or the CLI.
 */
export async function buildLeaf(
  leaf: LeafSpec,
  chart: CachedChart,
  helm: string,
  apiVersions: string[],
  kustomize: KustomizeBuild,
): Promise<{ yaml?: string; error?: string }> {
  const work = workTemp('leaf-');
  try {
    for (const f of leaf.files) writeFileSync(join(work, relative(leaf.dir, f.path)), f.content);
    const chartDir = join(work, 'charts', `${leaf.pin.chart}-${leaf.pin.version}`);
    mkdirSync(chartDir, { recursive: true });
    cpSync(join(chart.home, leaf.pin.chart), join(chartDir, leaf.pin.chart), { recursive: true });
    // --helm-command stands for the PATH entry Argo CD's helm wrapper occupies.
    const args = [...argoCdKustomizeArgs(work, leaf.cluster.kubernetesVersion, apiVersions), '--helm-command', helm];
    const result = await kustomize(args);
    return result.exitCode === 0 ? { yaml: result.stdout } : { error: tail(result.stderr.replaceAll(work, leaf.dir), 8) };
  } finally {
    // Asynchronous: a signal is handled while the copy goes.
    await rm(work, { recursive: true, force: true });
  }
}

/** The cached chart of each distinct pin (undefined when its version is not in the repository): its digest is what cache keys name. */
export async function resolveCharts(pins: ChartPin[], mirrors: MirrorMap, helm: string): Promise<(pin: ChartPin) => CachedChart | undefined> {
  const charts = new Map<string, CachedChart | undefined>();
  for (const pin of pins) {
    const key = pinKey(pin);
    if (charts.has(key)) continue;
    const chart = await ensureChart(pin, mirrors, helm).catch((err: unknown) => {
      if (err instanceof ChartVersionMissing) return undefined;
      throw err;
    });
    charts.set(key, chart);
  }
  return (pin) => charts.get(pinKey(pin));
}

const pinKey = (pin: ChartPin) => `${pin.repoURL}|${pin.chart}|${pin.version}`;

/** The kustomize CLI as a KustomizeBuild; its kustomize-helm-* folders land in this run's work folder, which goes even when kustomize is killed. */
export const kustomizeCli =
  (kustomize: string): KustomizeBuild =>
  (args) =>
    run(kustomize, args, { env: { TMPDIR: runWorkDir() } });

/** Renders every leaf (two at a time, a leaf renderer each: one keeps a core busy), reusing cached renders. */
export async function renderLeaves(
  leaves: LeafSpec[],
  mirrors: MirrorMap,
  tools: RenderTools,
  progress: (line: string) => void = () => {},
): Promise<RenderedLeaf[]> {
  const charts = new Map<string, Promise<CachedChart>>();
  const chartOf = (leaf: LeafSpec) => {
    const key = pinKey(leaf.pin);
    if (!charts.has(key)) charts.set(key, ensureChart(leaf.pin, mirrors, tools.helm));
    return charts.get(key)!;
  };
  const apiVersionsOf = memo((version: string) => ensureCatalog(version).then((c) => servedApiVersions(c.scopes)));
  const rendering = counter('rendered', leaves.length, progress);
  // The same TMPDIR as kustomizeCli gives the CLI: kustomize's temporary folders and the renderers' sockets go with the run.
  const renderers = startLeafRenderers(tools.leafRenderer, { TMPDIR: runWorkDir() });
  const rendered = await mapLimit(leaves, 2, async (leaf): Promise<RenderedLeaf> => {
    let chart: CachedChart;
    try {
      chart = await chartOf(leaf);
    } catch (err) {
      if (err instanceof ChartVersionMissing) return { leaf, objects: [], error: err.message, chartMissing: true, cached: false };
      throw err;
    }
    const apiVersions = await apiVersionsOf(leaf.cluster.kubernetesVersion);
    const key = renderKey(leaf, chart, tools, apiVersions);
    const cached = hasCachedRender(key);
    rendering.tick(cached ? 'cached' : undefined);
    // A cached render is read and parsed only when a check or the diff asks for it (a warm run may need none).
    if (cached) return lazyRender({ leaf, cached, chartHome: chart.home, renderKey: key }, () => readCachedRender(key));
    const { yaml, error } = await buildLeaf(leaf, chart, tools.helm, apiVersions, renderers.build);
    if (yaml !== undefined) writeCachedRender(key, yaml);
    return { leaf, yaml, error, cached, chartHome: chart.home, renderKey: key, objects: yaml ? parseObjects(yaml) : [] };
  }).finally(renderers.stop);
  rendering.done();
  return rendered;
}

/** A RenderedLeaf whose `yaml` and `objects` load on first use (and its resource count too, unless known). */
export function lazyRender(fields: Omit<RenderedLeaf, 'yaml' | 'objects'>, read: () => string, knownCount?: number): RenderedLeaf {
  let yaml: string | undefined;
  let objects: K8sObject[] | undefined;
  const text = () => {
    yaml ??= read();
    return yaml;
  };
  return Object.defineProperties(fields as RenderedLeaf, {
    yaml: { enumerable: true, get: text },
    objects: { enumerable: true, get: () => (objects ??= parseObjects(text())) },
    // kustomize writes one top-level `kind:` per resource, at the start of a line.
    resourceCount: { enumerable: true, get: () => knownCount ?? objects?.length ?? text().match(/^kind: /gm)?.length ?? 0 },
  });
}

/** One promise per key. */
function memo<T>(load: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const seen = new Map<string, Promise<T>>();
  return (key) => {
    if (!seen.has(key)) seen.set(key, load(key));
    return seen.get(key)!;
  };
}

export function parseObjects(yaml: string): K8sObject[] {
  return parseAllDocuments(yaml)
    .map((d) => d.toJS() as K8sObject)
    .filter((o) => o && typeof o === 'object');
}
