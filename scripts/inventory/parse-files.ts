import type { Finding } from '../lib/findings.ts';
import { lazySource, parseYamlSource, positionOf, type SourceDocument } from '../lib/yaml.ts';
import { readSimpleYaml, type SimpleYaml } from '../lib/yaml-simple.ts';
import { appCatalog, appNames, type AppName } from './app-catalog.ts';
import { checkYamlAgainstSchema, matchesPropertySchema, type SchemaName } from './schemas.ts';
import type { ChartPin, Cluster, ClusterApp, Dashboard, RoutingTest, Values } from './types.ts';

/** A file that parsed and matched its schema, with the positions kept for later checks. */
export interface CheckedFile<T> {
  source: SourceDocument;
  data: T;
  /** Its keys and values, when readSimpleYaml read it (the library then parses it only when a position is needed). */
  simple?: SimpleYaml['scalars'];
}

/** Parses YAML and checks it against a schema; returns the data only when both pass. */
export function checkYaml<T>(schema: SchemaName, file: string, text: string, findings: Finding[]): CheckedFile<T> | undefined {
  const simple = readSimpleYaml(text);
  const { source, problems } = simple ? { source: lazySource(file, text, simple.data), problems: [] } : parseYamlSource(file, text);
  if (problems.length) {
    findings.push(...problems.map((p) => ({ file, ...p, hint: 'fix the YAML syntax at this position' })));
    return undefined;
  }
  const schemaFindings = checkYamlAgainstSchema(schema, source);
  findings.push(...schemaFindings);
  return schemaFindings.length ? undefined : { source, data: source.data as T, ...(simple && { simple: simple.scalars }) };
}

/**
 * One top-level property of a file that failed its schema, when that property passes its own: what checks that
 * read only it may still use. No findings: checkYaml reported the file's.
 */
export function checkedProperty<K extends string, T>(schema: SchemaName, file: string, text: string, key: K): CheckedFile<Record<K, T>> | undefined {
  const { source, problems } = parseYamlSource(file, text);
  const data = source.data;
  if (problems.length || typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const value = (data as Record<string, unknown>)[key];
  return matchesPropertySchema(schema, key, value) ? { source, data: { [key]: value as T } as Record<K, T> } : undefined;
}

/** clusters/<name>.yaml with defaults filled in: an app the file leaves out runs when the catalog enables it by default. */
// biome-ignore lint/suspicious/noExplicitAny: read after its JSON Schema has accepted it, so its shape is known
export function toCluster(file: string, raw: Record<string, any>): Cluster {
  const apps: Partial<Record<AppName, ClusterApp>> = {};
  const written: Record<string, { enabled: boolean; values?: Record<string, unknown> }> = raw.apps ?? {};
  for (const spec of appCatalog().apps) {
    const app = written[spec.name];
    if (app) apps[spec.name] = { enabled: app.enabled, values: app.values ?? {} };
    else if (spec.enabledByDefault) apps[spec.name] = { enabled: true, values: {} };
  }
  return {
    name: raw.name,
    file,
    environment: raw.environment,
    kubernetesVersion: raw.kubernetesVersion,
    domain: raw.domain,
    storageClass: raw.storageClass,
    ...(raw.scheduling ? { scheduling: raw.scheduling } : {}),
    argocd: { namespace: raw.argocd?.namespace ?? 'argocd', project: raw.argocd?.project ?? `monitoring-${raw.name}` },
    destination: { ...raw.destination },
    apps,
    ...(raw.externalSecrets !== undefined ? { externalSecrets: raw.externalSecrets } : {}),
    ...(raw.gateway ? { gateway: { ...raw.gateway } } : {}),
  };
}

export function toPins(raw: Record<string, ChartPin>): Partial<Record<AppName, ChartPin>> {
  const pins: Partial<Record<AppName, ChartPin>> = {};
  for (const app of appNames()) if (raw[app]) pins[app] = { ...raw[app] };
  return pins;
}

/** Parses a dashboard: strict JSON first (what Grafana reads), then YAML for positions and duplicate keys. */
export function checkDashboard(file: string, text: string, findings: Finding[]): Dashboard | undefined {
  try {
    JSON.parse(text);
  } catch (err) {
    findings.push({
      file,
      ...jsonErrorPosition(text, err),
      message: `invalid JSON: ${(err as Error).message}`,
      hint: 'fix the JSON syntax (an exported Grafana dashboard is plain JSON)',
    });
    return undefined;
  }
  const checked = checkYaml<Values>('dashboard', file, text, findings);
  if (!checked) return undefined;
  return { file, uid: String(checked.data.uid), title: String(checked.data.title), model: checked.data };
}

function jsonErrorPosition(text: string, err: unknown): { line?: number; column?: number } {
  const match = /position (\d+)/.exec(String((err as Error).message));
  if (!match) return {};
  const before = text.slice(0, Number(match[1]));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/** base/<app>/routing-tests.yaml: each case with its line, where validate reports a mismatch. */
export function checkRoutingTests(file: string, text: string, findings: Finding[]): RoutingTest[] {
  const checked = checkYaml<{ tests: Omit<RoutingTest, 'file' | 'line' | 'column'>[] }>('routing-tests', file, text, findings);
  if (!checked) return [];
  return checked.data.tests.map((t, i) => ({ file, ...positionOf(checked.source, ['tests', i]), ...t }));
}
