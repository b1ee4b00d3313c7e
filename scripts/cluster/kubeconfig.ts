import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { EnvironmentError } from '../lib/errors.ts';

/** How to reach one API server: what the toolkit's client needs, and what a kubeconfig holds. */
export interface KubeConnection {
  /** https://127.0.0.1:PORT */
  server: string;
  /** PEM of the CA that signed the serving certificate. */
  ca: string;
  /** Its file, when there is one (kubectl's certificate-authority). */
  caFile?: string;
  /** Bearer token. */
  token: string;
}

const CONTEXT_NAME = 'monitoring-gitops-local';

/** A kubeconfig with one cluster, user and context, all named `name`; kubectl and the toolkit read it. */
export function kubeconfigYaml(server: string, caFile: string, token: string, name = CONTEXT_NAME): string {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  };
  return stringify(doc, { lineWidth: 0 });
}

interface Named<T> {
  name: string;
  [key: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}
type Entry = Record<string, string | undefined>;

/**
 * Reads the current (or `context`) context of a kubeconfig: server, CA (file or inline data) and bearer
 * token. Other kinds of credentials (client certificates, exec plugins) are not supported.
 */
export async function readKubeconfig(path: string, context?: string): Promise<KubeConnection> {
  const fail = (why: string) => new EnvironmentError(`kubeconfig ${path}: ${why}`);
  let doc: { 'current-context'?: string; contexts?: Named<Entry>[]; clusters?: Named<Entry>[]; users?: Named<Entry>[] };
  try {
    doc = (parse(await readFile(path, 'utf8')) ?? {}) as typeof doc;
  } catch (err) {
    throw new EnvironmentError(`cannot read kubeconfig ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (typeof doc !== 'object' || !Array.isArray(doc.contexts) || !Array.isArray(doc.clusters) || !Array.isArray(doc.users))
    throw fail('not a kubeconfig (it needs the lists contexts, clusters and users)');
  const name = context ?? doc['current-context'];
  const ctx = doc.contexts.find((c) => c.name === name)?.context;
  if (!ctx) throw fail(`no context '${name ?? ''}'`);
  const cluster = doc.clusters.find((c) => c.name === ctx.cluster)?.cluster;
  const user = doc.users.find((u) => u.name === ctx.user)?.user;
  if (!cluster?.server) throw fail(`context '${name}' names no cluster with a server`);
  if (!user?.token) throw fail(`context '${name}' has no bearer token (the toolkit's client supports tokens only)`);
  const caPath = cluster['certificate-authority'];
  const caFile = caPath && !isAbsolute(caPath) ? resolve(dirname(path), caPath) : caPath;
  const caData = cluster['certificate-authority-data'];
  const ca = caData ? Buffer.from(caData, 'base64').toString('utf8') : caFile ? await readFile(caFile, 'utf8').catch(() => undefined) : undefined;
  if (!ca) throw fail(`context '${name}' has no readable certificate-authority`);
  return { server: cluster.server.replace(/\/+$/, ''), ca, caFile, token: user.token };
}
