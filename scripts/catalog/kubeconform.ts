import { EnvironmentError } from '../lib/errors.ts';
import { run, tail } from '../lib/exec.ts';
import { ensureTool } from '../tools/install.ts';
import { isRecord } from './schema.ts';

/**
 * How kubeconform judged one resource. `missing-schema`: the catalog has no schema for its apiVersion
 * and kind, which is also how an API removed in the target Kubernetes version shows up.
 */
type KubeconformStatus = 'valid' | 'invalid' | 'error' | 'skipped' | 'missing-schema';

/** One resource (one YAML document) kubeconform looked at. */
export interface KubeconformResult {
  /** The file, as passed to kubeconform. */
  file: string;
  kind: string;
  name: string;
  apiVersion: string;
  status: KubeconformStatus;
  /** kubeconform's message; empty for valid and skipped resources. */
  message: string;
  /** Why an invalid resource fails its schema; `path` points into the resource (`/spec/ports/0/port`). */
  errors: { path: string; message: string }[];
}

/** What one kubeconform run checks, and against which catalog. */
interface KubeconformOptions {
  /** Manifest files (several YAML documents each, if need be); kubeconform also accepts folders. */
  files: string[];
  /** The target cluster's version ("1.34.2"); selects the catalog folder through the schema templates. */
  kubernetesVersion: string;
  /** `-schema-location` templates, tried in order (see `Catalog.schemaLocations`). */
  schemaLocations: string[];
  /** Kinds (`Kind` or `group/version/Kind`) kubeconform reports as skipped. */
  skipKinds?: string[];
}

const STATUSES: Record<string, KubeconformStatus> = {
  statusValid: 'valid',
  statusInvalid: 'invalid',
  statusError: 'error',
  statusSkipped: 'skipped',
};

/**
 * Runs the pinned kubeconform once over every file with `-strict` and returns one result per resource
 * (none at all when the files hold no resource: callers treat that as a failure). kubeconform's exit
 * code mixes invalid resources and errors, so the JSON report is the only thing read.
 */
export async function runKubeconform(options: KubeconformOptions): Promise<KubeconformResult[]> {
  // Without files kubeconform would read stdin.
  if (options.files.length === 0) return [];
  const kubeconform = await ensureTool('kubeconform');
  const args = [
    '-strict',
    '-output',
    'json',
    '-summary',
    '-verbose',
    '-kubernetes-version',
    options.kubernetesVersion.replace(/^v/, ''),
    ...options.schemaLocations.flatMap((location) => ['-schema-location', location]),
    ...(options.skipKinds?.length ? ['-skip', options.skipKinds.join(',')] : []),
    ...options.files,
  ];
  const result = await run(kubeconform, args);
  try {
    return parseKubeconformOutput(result.stdout);
  } catch (err) {
    throw new EnvironmentError(`kubeconform printed no report (exit ${result.exitCode}): ${(err as Error).message}\n${tail(result.stderr || result.stdout)}`, {
      cause: err,
    });
  }
}

/**
 * Reads kubeconform's `-output json -verbose` report. Its workers finish in any order (even within one
 * file), so results are sorted by file, apiVersion, kind and name to make reports stable.
 */
export function parseKubeconformOutput(stdout: string): KubeconformResult[] {
  const report: unknown = JSON.parse(stdout);
  if (!isRecord(report) || !Array.isArray(report.resources)) throw new Error('the JSON report has no "resources" list');
  const key = (r: KubeconformResult) => [r.file, r.apiVersion, r.kind, r.name];
  // With -verbose, empty documents (a lone `---`, only comments) are listed too, with an empty status.
  const resources = report.resources.filter((r) => isRecord(r) && r.status !== '') as Record<string, unknown>[];
  return resources.map(toResult).sort((a, b) => compareLists(key(a), key(b)));
}

function compareLists(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i] ?? '', b[i] ?? ''];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function toResult(resource: Record<string, unknown>): KubeconformResult {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const message = text(resource.msg);
  let status = STATUSES[text(resource.status)] ?? 'error';
  if (status === 'error' && message.startsWith('could not find schema')) status = 'missing-schema';
  const errors = Array.isArray(resource.validationErrors) ? resource.validationErrors.filter(isRecord) : [];
  return {
    file: text(resource.filename),
    kind: text(resource.kind),
    name: text(resource.name),
    apiVersion: text(resource.version),
    status,
    message,
    errors: errors.map((e) => ({ path: text(e.path), message: text(e.msg) })),
  };
}

/** How many resources were checked against a schema (valid or invalid); 0 means nothing was validated. */
export function countValidated(results: KubeconformResult[]): number {
  return results.filter((r) => r.status === 'valid' || r.status === 'invalid').length;
}
