import { posix } from 'node:path';
import { resourceName, type K8sObject } from '../lib/k8s.ts';
import { pathMatch } from '../lib/path-match.ts';
import { isMap } from '../lib/values.ts';

/**
 * The file system a rendered container sees, as far as the rendered objects tell: ConfigMap volumes
 * with their keys, and mounts whose content is not rendered (Secrets, the service account, emptyDir,
 * volumes claimed from a PVC). Pure: built from the objects, no I/O.
 */
interface Mount {
  /** Absolute path in the container. */
  path: string;
  /** `files` when the rendered objects hold the content (a ConfigMap); `opaque` when they do not. */
  kind: 'files' | 'opaque';
  /** `ConfigMap/prometheus-server`, `Secret/x`, `serviceaccount`, `emptyDir`… */
  source: string;
  /** File name (relative to `path`) → content, for `files` mounts. */
  files: Map<string, string>;
}

/** A container that reads a config file named by `--config.file`. */
export interface ConfiguredContainer {
  /** `StatefulSet/prometheus-alertmanager`. */
  workload: string;
  container: string;
  image: string;
  args: string[];
  configFile: string;
  mounts: Mount[];
}

export type Json = Record<string, unknown>;
/** The map items of a list, nothing when it is not one. */
export const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isMap) : []);
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'Pod']);
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Every container of every rendered workload that has `--config.file=…` among its args. */
export function configuredContainers(objects: K8sObject[]): ConfiguredContainer[] {
  const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata?.name ?? '', stringData(o.data)]));
  return objects
    .filter((o) => WORKLOADS.has(o.kind ?? ''))
    .flatMap((o) => {
      const pod = podSpec(o);
      const volumes = new Map(list(pod.volumes).map((v) => [String(v.name), v]));
      return list(pod.containers).flatMap((c) => {
        const args = [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])].map(String);
        const configFile = flagValue(args, 'config.file');
        if (!configFile) return [];
        const mounts = list(c.volumeMounts).flatMap((m) => mountOf(m, volumes.get(String(m.name)), configMaps));
        if (pod.automountServiceAccountToken !== false && !mounts.some((m) => m.path === SERVICE_ACCOUNT_DIR)) {
          mounts.push({ path: SERVICE_ACCOUNT_DIR, kind: 'opaque', source: 'serviceaccount', files: new Map() });
        }
        return [
          {
            workload: resourceName(o),
            container: String(c.name ?? '?'),
            image: String(c.image ?? ''),
            args,
            configFile: posix.resolve('/', configFile),
            mounts,
          },
        ];
      });
    });
}

/** The Prometheus server (or agent) among them: it keeps a TSDB (or a WAL), which nothing else does. */
export const isPrometheus = (c: ConfiguredContainer) =>
  ['storage.tsdb.path', 'storage.agent.path'].some((f) => flagValue(c.args, f) !== undefined) || /\/prometheus(:|@|$)/.test(c.image);

/** Alertmanager: `--storage.path` for its silences and notification log, or its image. */
export const isAlertmanager = (c: ConfiguredContainer) =>
  !isPrometheus(c) && (flagValue(c.args, 'storage.path') !== undefined || /\/alertmanager(:|@|$)/.test(c.image));

/** The value of `--name=value` or `--name value` (the last one wins, as with Go's flag parsing). */
export function flagValue(args: string[], name: string): string | undefined {
  let value: string | undefined;
  args.forEach((arg, i) => {
    if (arg.startsWith(`--${name}=`)) value = arg.slice(name.length + 3);
    else if (arg === `--${name}` && i + 1 < args.length) value = args[i + 1];
  });
  return value;
}

export function podSpec(o: K8sObject): Json {
  const spec = isMap(o.spec) ? o.spec : {};
  if (o.kind === 'Pod') return spec;
  const template = isMap(spec.template) ? spec.template : isMap(spec.jobTemplate) ? spec.jobTemplate : {};
  return isMap(template.spec) ? template.spec : {};
}

function stringData(data: unknown): Map<string, string> {
  return new Map(Object.entries(isMap(data) ? data : {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** One volumeMount as the files it shows at its mountPath (items and subPath honoured). */
function mountOf(mount: Json, volume: Json | undefined, configMaps: Map<string, Map<string, string>>): Mount[] {
  const path = posix.resolve('/', String(mount.mountPath ?? '/'));
  const subPath = typeof mount.subPath === 'string' ? mount.subPath : undefined;
  const configMap = isMap(volume?.configMap) ? volume.configMap : undefined;
  if (!configMap) return [{ path, kind: 'opaque', source: volumeSource(volume), files: new Map() }];
  const name = String(configMap.name ?? '');
  const files = projectItems(configMaps.get(name) ?? new Map(), configMap.items);
  const source = `ConfigMap/${name}`;
  if (!subPath) return [{ path, kind: 'files', source, files }];
  // A subPath mount shows one file (or folder) of the volume at mountPath itself.
  const shown = new Map(
    [...files].filter(([k]) => k === subPath || k.startsWith(`${subPath}/`)).map(([k, v]) => [k === subPath ? '' : k.slice(subPath.length + 1), v]),
  );
  return shown.has('')
    ? [{ path: posix.dirname(path), kind: 'files', source, files: new Map([[posix.basename(path), shown.get('')!]]) }]
    : [{ path, kind: 'files', source, files: shown }];
}

function projectItems(data: Map<string, string>, items: unknown): Map<string, string> {
  if (!Array.isArray(items)) return data;
  return new Map(
    list(items)
      .filter((i) => data.has(String(i.key)))
      .map((i) => [String(i.path ?? i.key), data.get(String(i.key))!]),
  );
}

function volumeSource(volume: Json | undefined): string {
  if (!volume) return 'no volume';
  if (isMap(volume.secret)) return `Secret/${String(volume.secret.secretName ?? '?')}`;
  const kind = Object.keys(volume).find((k) => k !== 'name');
  return kind ?? 'volume';
}

/** What a container finds at an absolute path. */
export type FileLookup =
  | { found: 'file'; text: string; mount: Mount; key: string }
  | { found: 'opaque'; mount: Mount }
  | { found: 'missing'; mount: Mount; key: string }
  | { found: 'unmounted' };

/** Looks a path up in the mounts, the deepest mount first (as the kernel resolves overlapping mounts). */
export function lookupFile(mounts: Mount[], path: string): FileLookup {
  const absolute = posix.resolve('/', path);
  const mount = [...mounts]
    .sort((a, b) => b.path.length - a.path.length)
    .find((m) => absolute === m.path || absolute.startsWith(m.path.endsWith('/') ? m.path : `${m.path}/`));
  if (!mount) return { found: 'unmounted' };
  if (mount.kind === 'opaque') return { found: 'opaque', mount };
  const key = posix.relative(mount.path, absolute);
  const text = mount.files.get(key);
  return text === undefined ? { found: 'missing', mount, key } : { found: 'file', text, mount, key };
}

/** Paths of a `files` mount that a Go filepath.Match pattern matches (how Prometheus and Alertmanager expand globs). */
export function expandGlob(mounts: Mount[], pattern: string): { paths: string[]; opaque: boolean } {
  const absolute = posix.resolve('/', pattern);
  const candidates = mounts.flatMap((m) => [...m.files.keys()].map((k) => posix.join(m.path, k)));
  const paths = candidates.filter((p) => pathMatch(absolute, p) && lookupFile(mounts, p).found === 'file').sort();
  const dir = lookupFile(mounts, posix.dirname(absolute));
  return { paths, opaque: dir.found === 'opaque' };
}

export const hasGlob = (pattern: string) => /[*?[]/.test(pattern);
