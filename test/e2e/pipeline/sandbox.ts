import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { ALERTMANAGER_KEYS, PROMETHEUS_KEYS } from '../../../scripts/validate/config-files.ts';
import { readMountedConfig, writeSandbox } from '../../../scripts/validate/mounted-config.ts';
import { rebaseHostPaths, rebasePaths, type Launch } from './launch.ts';

/** The service account's files as the kubelet projects them into the pod. */
export interface ServiceAccountFiles {
  token: string;
  'ca.crt': string;
  namespace: string;
}

/** What mounts whose content the rendered objects do not hold show at run time: the live Secrets, the token. */
export interface MountContent {
  /** Secret name → key → value (decoded). */
  secrets: Map<string, Record<string, string>>;
  serviceAccount: ServiceAccountFiles;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Writes what the launch's container sees under `parent` (validate's sandbox: ConfigMap files and the
 * config with its file references rebased; then the Secrets' and the token's content, and empty folders
 * for volumes) and returns its args with mounted paths rebased likewise. node-exporter reads `procfs` as /proc.
 */
export function materialize(launch: Launch, parent: string, content: MountContent, procfs: string): string[] {
  if (launch.binary === 'nodeExporter') return rebaseHostPaths(launch.args, launch.pod, containerName(launch), procfs);
  const container = launch.container!;
  const keys = launch.binary === 'prometheus' ? PROMETHEUS_KEYS : ALERTMANAGER_KEYS;
  const mounted = readMountedConfig(container, keys);
  if (mounted.problem) throw new Error(`${launch.name}: ${mounted.problem}`);
  const configPath = writeSandbox(parent, mounted, keys, (c) => stringify(c));
  const root = configPath.slice(0, configPath.length - container.configFile.length);
  for (const mount of container.mounts.filter((m) => m.kind === 'opaque')) {
    const at = join(root, mount.path);
    mkdirSync(at, { recursive: true });
    const secret = /^Secret\/(.+)$/.exec(mount.source)?.[1];
    const files = secret ? content.secrets.get(secret) : mount.path === SERVICE_ACCOUNT_DIR ? { ...content.serviceAccount } : undefined;
    if (secret && !files) throw new Error(`${launch.name}: Secret ${secret} mounted at ${mount.path} is not on the cluster`);
    for (const [key, text] of Object.entries(files ?? {})) put(join(at, key), text);
  }
  return rebasePaths(launch.args, container, root);
}

function containerName(launch: Launch): string {
  const containers = (launch.pod.spec as { containers: { name: string; image: string }[] }).containers;
  return containers.find((c) => /node[-_]exporter(:|@|$)/.test(c.image))!.name;
}

function put(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
