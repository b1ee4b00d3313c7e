import { posix } from 'node:path';
import { isMap } from '../../../scripts/lib/values.ts';
import type { K8sObject } from '../../../scripts/lib/k8s.ts';
import { configuredContainers, isAlertmanager, isPrometheus, lookupFile, type ConfiguredContainer } from '../../../scripts/validate/pod-files.ts';

/**
 * How the fire drill starts one container of a synced pod as a process: the kubelet's part, done by hand.
 * Pure: built from the live objects. Only file paths (onto the sandbox, or the node's fake /proc) and
 * listen addresses (onto the pod's or node's address) change; every other argument is as synced.
 */
export interface Launch {
  /** `prometheus-server`, `alertmanager`, `node-exporter@dev-1-node-0`. */
  name: string;
  binary: 'prometheus' | 'alertmanager' | 'nodeExporter';
  args: string[];
  /** Where it answers HTTP (pod or node address and container port). */
  address: string;
  node: string;
  /** The pod it stands for, as synced and scheduled. */
  pod: K8sObject;
  /** For Prometheus and Alertmanager: the container as configuredContainers reads it (mounts, config file). */
  container?: ConfiguredContainer;
}

type Json = Record<string, unknown>;
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isMap) : []);
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** Pods with their kind set (list responses leave it out), Running, with an address and a node. */
export function runningPods(pods: K8sObject[]): K8sObject[] {
  return pods
    .map((p): K8sObject => ({ ...p, apiVersion: 'v1', kind: 'Pod' }))
    .filter((p) => isMap(p.status) && p.status.phase === 'Running' && str(p.status.podIP) && isMap(p.spec) && str(p.spec.nodeName));
}

/** The Prometheus server and Alertmanager containers of the running pods, and node-exporter's on every node. */
export function plannedLaunches(pods: K8sObject[], configMaps: K8sObject[]): Launch[] {
  const running = runningPods(pods);
  const configMapObjects = configMaps.map((c) => ({ ...c, kind: 'ConfigMap' }));
  const launches: Launch[] = [];
  for (const pod of running) {
    const containers = configuredContainers([pod, ...configMapObjects]);
    for (const container of containers) {
      const binary = isPrometheus(container) ? 'prometheus' : isAlertmanager(container) ? 'alertmanager' : undefined;
      if (!binary) continue;
      launches.push(launchOf(pod, container.container, binary, container));
    }
    const exporter = list((pod.spec as Json).containers).find((c) => /node[-_]exporter(:|@|$)/.test(str(c.image)));
    if (exporter) launches.push(launchOf(pod, str(exporter.name), 'nodeExporter'));
  }
  return launches;
}

function launchOf(pod: K8sObject, containerName: string, binary: Launch['binary'], container?: ConfiguredContainer): Launch {
  const spec = pod.spec as Json;
  const status = pod.status as Json;
  const raw = list(spec.containers).find((c) => c.name === containerName)!;
  const podIP = str(status.podIP);
  const node = str(spec.nodeName);
  // The programs' own containers read no Secret in their env; what they would name stays unset.
  const { env } = containerEnv(raw, pod);
  const args = [...(Array.isArray(raw.command) ? raw.command.slice(1) : []), ...(Array.isArray(raw.args) ? raw.args : [])].map((a) =>
    expandEnv(String(a), env),
  );
  const listened = rebaseListen(args, podIP, DEFAULT_LISTENERS[binary]);
  const kind = binary === 'nodeExporter' ? 'node-exporter' : binary === 'prometheus' ? 'prometheus-server' : 'alertmanager';
  return {
    name: binary === 'nodeExporter' ? `${kind}@${node}` : kind,
    binary,
    args: listened.args,
    address: listened.address,
    node,
    pod,
    ...(container ? { container } : {}),
  };
}

/** What a container's env reads besides its pod: the live Secrets (decoded) and ConfigMaps, name → key → value. */
export interface EnvSources {
  secrets?: Map<string, Record<string, string>>;
  configMaps?: Map<string, Record<string, string>>;
}

/**
 * A container's environment as the kubelet sets it: `envFrom` first (each Secret's or ConfigMap's keys, with
 * its prefix), then `env` in order: literal values (`$(NAME)` of those before expanded), the pod fields the
 * charts use, Secret and ConfigMap keys. `problems`: what would keep the kubelet from starting the container
 * (a Secret, ConfigMap or key that is not there and not `optional`). Pure.
 */
export function containerEnv(container: Json, pod: K8sObject, sources: EnvSources = {}): { env: Map<string, string>; problems: string[] } {
  const status = pod.status as Json;
  const spec = pod.spec as Json;
  const fields: Record<string, string> = {
    'status.hostIP': str(status.hostIP),
    'status.podIP': str(status.podIP),
    'spec.nodeName': str(spec.nodeName),
    'metadata.name': str(pod.metadata?.name),
    'metadata.namespace': str(pod.metadata?.namespace),
    'spec.serviceAccountName': str(spec.serviceAccountName),
  };
  const env = new Map<string, string>();
  const problems: string[] = [];
  const source = (kind: 'Secret' | 'ConfigMap', name: string) => (kind === 'Secret' ? sources.secrets : sources.configMaps)?.get(name);
  for (const from of list(container.envFrom)) {
    const kind = isMap(from.secretRef) ? 'Secret' : isMap(from.configMapRef) ? 'ConfigMap' : undefined;
    const ref = (isMap(from.secretRef) ? from.secretRef : from.configMapRef) as Json | undefined;
    if (!kind || !ref) continue;
    const data = source(kind, str(ref.name));
    if (!data) {
      if (ref.optional !== true) problems.push(`envFrom: ${kind} ${str(ref.name)} is not there`);
      continue;
    }
    // The kubelet skips keys that are no valid variable name.
    for (const [key, value] of Object.entries(data)) if (/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(str(from.prefix) + key)) env.set(str(from.prefix) + key, value);
  }
  for (const e of list(container.env)) {
    const name = str(e.name);
    const valueFrom = isMap(e.valueFrom) ? e.valueFrom : undefined;
    if (!valueFrom) {
      env.set(name, expandEnv(str(e.value), env));
      continue;
    }
    if (isMap(valueFrom.fieldRef)) {
      env.set(name, fields[str(valueFrom.fieldRef.fieldPath)] ?? '');
      continue;
    }
    const kind = isMap(valueFrom.secretKeyRef) ? 'Secret' : isMap(valueFrom.configMapKeyRef) ? 'ConfigMap' : undefined;
    const ref = (isMap(valueFrom.secretKeyRef) ? valueFrom.secretKeyRef : valueFrom.configMapKeyRef) as Json | undefined;
    // resourceFieldRef (GOMEMLIMIT…) and the like: left unset, nothing the drill reads.
    if (!kind || !ref) continue;
    const value = source(kind, str(ref.name))?.[str(ref.key)];
    if (value !== undefined) env.set(name, value);
    else if (ref.optional !== true)
      problems.push(`env ${name}: ${kind} ${str(ref.name)} ${source(kind, str(ref.name)) ? `has no key ${str(ref.key)}` : 'is not there'}`);
  }
  return { env, problems };
}

/** `$(NAME)` as the kubelet expands it in args (`$$(NAME)` stays literal; unknown names stay as written). */
export function expandEnv(text: string, env: Map<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name?: string) => (match === '$$' ? '$' : env.has(name!) ? env.get(name!)! : match));
}

const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '[::]', '::']);

/** The listeners each program opens when its args leave them at their defaults (its --help). */
export const DEFAULT_LISTENERS: Record<Launch['binary'], Record<string, string>> = {
  prometheus: { '--web.listen-address': '0.0.0.0:9090' },
  alertmanager: { '--web.listen-address': ':9093', '--cluster.listen-address': '0.0.0.0:9094' },
  nodeExporter: { '--web.listen-address': ':9100' },
};

/**
 * Every listener on all interfaces, written in the args or left at the program's default, moves to
 * `address` (in the drill's namespace all pods share one network, so "all interfaces" would collide; a
 * default the args leave is named explicitly). Returns the args and where the web listener is.
 */
export function rebaseListen(args: string[], address: string, defaults: Record<string, string>): { args: string[]; address: string } {
  const onAddress = (value: string) => {
    const cut = value.lastIndexOf(':');
    return WILDCARD_HOSTS.has(value.slice(0, cut).replace(/^\[(.*)\]$/, '$1')) ? `${address}:${value.slice(cut + 1)}` : value;
  };
  const written = new Set<string>();
  const out = args.map((arg) => {
    const m = /^(--[\w.-]*listen-address)=(.*)$/.exec(arg);
    if (!m) return arg;
    written.add(m[1]!);
    return `${m[1]}=${onAddress(m[2]!)}`;
  });
  for (const [flag, value] of Object.entries(defaults)) if (!written.has(flag)) out.push(`${flag}=${onAddress(value)}`);
  const web =
    [...out]
      .reverse()
      .find((a) => a.startsWith('--web.listen-address='))
      ?.slice('--web.listen-address='.length) ?? '';
  return { args: out, address: web.replace(/^\[(.*)\]:/, '$1:') };
}

/**
 * Args with every absolute path a mount serves moved under `root` (where the sandbox mirrors the
 * container's files); paths in the image (console libraries) stay. Flags whose value is a path only.
 */
export function rebasePaths(args: string[], container: ConfiguredContainer, root: string): string[] {
  return args.map((arg) => {
    const m = /^(--[\w.-]+)=(\/.*)$/.exec(arg);
    if (!m) return arg;
    return lookupFile(container.mounts, m[2]!).found === 'unmounted' ? arg : `${m[1]}=${posix.join(root, m[2]!)}`;
  });
}

/** node-exporter's host mounts: `/host/proc` → the node's fake procfs, any other hostPath → the same path here. */
export function rebaseHostPaths(args: string[], pod: K8sObject, containerName: string, procfs: string): string[] {
  const spec = pod.spec as Json;
  const volumes = new Map(list(spec.volumes).map((v) => [str(v.name), v]));
  const container = list(spec.containers).find((c) => c.name === containerName)!;
  const hostMounts = list(container.volumeMounts).flatMap((m) => {
    const volume = volumes.get(str(m.name));
    const hostPath = isMap(volume?.hostPath) ? str(volume.hostPath.path) : undefined;
    return hostPath === undefined ? [] : [{ at: posix.resolve('/', str(m.mountPath)), to: hostPath === '/proc' ? procfs : hostPath }];
  });
  return args.map((arg) => {
    const m = /^(--[\w.-]+)=(\/.*)$/.exec(arg);
    if (!m) return arg;
    const mount = hostMounts.sort((a, b) => b.at.length - a.at.length).find((h) => m[2] === h.at || m[2]!.startsWith(`${h.at}/`));
    return mount ? `${m[1]}=${posix.join(mount.to, posix.relative(mount.at, m[2]!))}` : arg;
  });
}
