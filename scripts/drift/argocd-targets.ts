import { posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { FileWrite } from '../generate/plan-types.ts';
import type { Cluster, Inventory } from '../inventory/types.ts';
import { isMap } from '../lib/values.ts';
import type { ArgoApplicationSpec } from '../argocd/types.ts';
import type { DriftItem } from './types.ts';

/** Labels the generator puts on every Argo CD object it writes (scripts/generate/cluster-apps.ts). */
export const CLUSTER_LABEL = 'monitoring-gitops/cluster';
export const ENVIRONMENT_LABEL = 'monitoring-gitops/environment';
export const APP_LABEL = 'monitoring-gitops/app';

/** An Application `generate` plans: what Git says should be on the hub. */
export interface PlannedApplication {
  /** The planned file that holds it, e.g. `apps/dev-1/root.yaml`. */
  file: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  spec: ArgoApplicationSpec;
  /** An app-of-apps: other planned Argo CD files lie under its source path (a cluster's root, the fleet's root). */
  root: boolean;
  /** The root whose source holds {@link file}, whose sync (re)creates this one; none for one bootstrap applies by hand. */
  parent?: string;
}

/** One Application drift looks at: an enabled app of a cluster, a cluster's root, or a fleet-level root. */
export interface Target {
  /** Absent for a fleet-level Application. */
  cluster?: Cluster;
  /** The app; `root` for a cluster's root; the Application's name for a fleet-level one. */
  app: string;
  name: string;
  planned: PlannedApplication;
}

/** Every Application of the planned Argo CD tree (`apps/`), which of them are roots and which root syncs each. Pure. */
export function plannedApplications(plan: FileWrite[]): PlannedApplication[] {
  const manifests = plan.filter((w) => w.path.startsWith('apps/') && /\.ya?ml$/.test(w.path));
  // How many manifests each folder holds, directly and at any depth: a 1,000-cluster plan has thousands.
  const direct = new Map<string, number>();
  const below = new Map<string, number>();
  for (const { path } of manifests) {
    direct.set(posix.dirname(path), (direct.get(posix.dirname(path)) ?? 0) + 1);
    for (const folder of foldersAbove(path)) below.set(folder, (below.get(folder) ?? 0) + 1);
  }
  const held = (spec: ArgoApplicationSpec) => (spec.source?.path === undefined ? 0 : ((recurses(spec) ? below : direct).get(sourcePath(spec)) ?? 0));
  const apps = manifests.flatMap(applicationsIn).map((app) => ({ ...app, root: held(app.spec) - (holds(app.spec, app.file) ? 1 : 0) > 0 }));
  const rootsAt = new Map<string, typeof apps>();
  for (const root of apps.filter((a) => a.root)) rootsAt.set(sourcePath(root.spec), [...(rootsAt.get(sourcePath(root.spec)) ?? []), root]);
  return apps.map((app) => {
    // The closest root wins: the fleet's root also holds apps/<cluster>/children/ when it recurses without an include.
    const parent = foldersAbove(app.file)
      .map((folder, depth) =>
        rootsAt.get(folder)?.find((r) => r.name !== app.name && (depth === 0 || recurses(r.spec)) && takes(r.spec, posix.relative(folder, app.file))),
      )
      .find(Boolean);
    return { ...app, ...(parent ? { parent: parent.name } : {}) };
  });
}

/** Whether a directory source's include and exclude let a file (relative to its path) through, as Argo CD matches them. */
function takes(spec: ArgoApplicationSpec, relative: string): boolean {
  const directory = (spec.source as { directory?: { include?: string; exclude?: string } } | undefined)?.directory;
  if (directory?.exclude && argoGlob(directory.exclude, relative)) return false;
  return !directory?.include || argoGlob(directory.include, relative);
}

/** Argo CD's directory globs (gobwas/glob without separators): `*` crosses `/`, `{a,b}` alternatives, `?`, `[…]`. */
export function argoGlob(pattern: string, text: string): boolean {
  let out = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '{') {
      out += '(?:';
      depth++;
    } else if (c === '}' && depth) {
      out += ')';
      depth--;
    } else if (c === ',' && depth) out += '|';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return false;
      const body = pattern.slice(i + 1, end);
      out += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
      i = end;
    } else if (c === '\\' && i + 1 < pattern.length) out += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return depth === 0 && new RegExp(`^${out}$`).test(text);
}

/** A planned manifest, read as far as telling an Application apart. */
interface Manifest {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: ArgoApplicationSpec;
}

function applicationsIn(file: FileWrite): Omit<PlannedApplication, 'root' | 'parent'>[] {
  if (!/^kind: Application\s*$/m.test(file.content)) return [];
  return parseAllDocuments(file.content)
    .map((d) => d.toJS() as unknown)
    .filter((o): o is Manifest => isMap(o) && o.kind === 'Application' && String(o.apiVersion).startsWith('argoproj.io/'))
    .map((o) => ({
      file: file.path,
      name: o.metadata?.name ?? '',
      namespace: o.metadata?.namespace ?? 'argocd',
      labels: o.metadata?.labels ?? {},
      spec: o.spec ?? {},
    }));
}

const sourcePath = (spec: ArgoApplicationSpec) => posix.normalize(spec.source?.path ?? '.').replace(/\/+$/, '');
const recurses = (spec: ArgoApplicationSpec) => spec.source?.directory?.recurse === true;

/** The folders a file lies in, its own first, up to the repository's top (`.`). */
function foldersAbove(file: string): string[] {
  const folders = [posix.dirname(file)];
  while (folders.at(-1) !== '.') folders.push(posix.dirname(folders.at(-1)!));
  return folders;
}

/** Whether an Application with this spec syncs `file`: in its source folder, or below it with `directory.recurse` (globs not read). */
function holds(spec: ArgoApplicationSpec, file: string): boolean {
  if (spec.source?.path === undefined) return false;
  const folders = foldersAbove(file);
  return recurses(spec) ? folders.includes(sourcePath(spec)) : folders[0] === sourcePath(spec);
}

/** The planned Applications as targets: each with its cluster (by label) and the app it deploys. */
export function targetsOf(planned: PlannedApplication[], inventory: Inventory): Target[] {
  const clusters = new Map(inventory.clusters.map((c) => [c.name, c]));
  return planned.map((p) => {
    const cluster = clusters.get(p.labels[CLUSTER_LABEL] ?? '');
    const app = p.root ? (cluster ? 'root' : p.name) : (p.labels[APP_LABEL] ?? p.name);
    return { ...(cluster ? { cluster } : {}), app, name: p.name, planned: p };
  });
}

/** A live-section item about one target, keyed `live:argocd:<cluster or ->/<app>:<kind>`. */
export function itemOf(target: Target, kind: string, fields: Pick<DriftItem, 'severity' | 'summary'> & Partial<DriftItem>): DriftItem {
  const { cluster, app } = target;
  return {
    section: 'live',
    key: `live:argocd:${cluster?.name ?? '-'}/${app}:${kind}`,
    kind,
    ...(cluster ? { environment: cluster.environment, cluster: cluster.name } : {}),
    app,
    ...fields,
  };
}
