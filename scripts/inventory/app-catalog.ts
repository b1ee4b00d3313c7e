import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { EnvironmentError, FindingsError } from '../lib/errors.ts';
import type { Finding } from '../lib/findings.ts';
import type { Values } from '../lib/values.ts';
import { parseYamlSource } from '../lib/yaml.ts';
import { compiledSchemas } from './ajv.ts';
import { checkCatalog } from './app-catalog-checks.ts';
import type { AppCatalog, AppName, AppSpec, PodSecurityLevel } from './app-catalog-types.ts';
import { parseValuePath } from './app-templates.ts';
import { checkSourceWith } from './schema-check.ts';

export type { AppCatalog, AppName, AppSpec } from './app-catalog-types.ts';

/** The catalog's path in the repository, as findings name it. */
export const CATALOG_FILE = 'app-catalog.yaml';

/** An entry as written, after the catalog's JSON Schema accepted it. */
interface RawApp {
  description: string;
  releaseName: string;
  syncWave: number;
  podSecurity: PodSecurityLevel;
  enabledByDefault: boolean;
  requires?: string[];
  clusterResources: AppSpec['clusterResources'];
  secrets?: AppSpec['secrets'];
  alertmanager?: AppSpec['alertmanager'];
  rules?: string;
  dashboards?: AppSpec['dashboards'];
  scheduling: string[];
  clusterValues?: Values;
  whenIngress?: Values;
  whenGateway?: Values;
  contributes?: { to: string; whenEnabled?: string[]; values?: Values; rules?: boolean }[];
  clusterSchema?: Record<string, unknown>;
}

function toSpec(name: string, raw: RawApp): AppSpec {
  return {
    name,
    description: raw.description,
    releaseName: raw.releaseName,
    syncWave: raw.syncWave,
    podSecurity: raw.podSecurity,
    enabledByDefault: raw.enabledByDefault,
    requires: raw.requires ?? [],
    clusterResources: raw.clusterResources,
    secrets: raw.secrets ?? [],
    ...(raw.alertmanager ? { alertmanager: raw.alertmanager } : {}),
    ...(raw.rules !== undefined ? { rules: parseValuePath(raw.rules) } : {}),
    ...(raw.dashboards ? { dashboards: raw.dashboards } : {}),
    scheduling: raw.scheduling.map(parseValuePath),
    clusterValues: raw.clusterValues ?? {},
    whenIngress: raw.whenIngress ?? {},
    whenGateway: raw.whenGateway ?? {},
    contributes: (raw.contributes ?? []).map((c) => ({ to: c.to, whenEnabled: c.whenEnabled ?? [], values: c.values ?? {}, rules: c.rules ?? false })),
    clusterSchema: raw.clusterSchema ?? { $ref: '#/definitions/app' },
    folder: `base/${name}`,
  };
}

let validateCatalog: ValidateFunction | undefined;

/** Parses and checks a catalog text; pure apart from compiling its schema once. The apps come in sync-wave order. */
export function parseAppCatalog(file: string, text: string): { catalog?: AppCatalog; findings: Finding[] } {
  const { source, problems } = parseYamlSource(file, text);
  if (problems.length) return { findings: problems.map((p) => ({ file, ...p, hint: 'fix the YAML syntax at this position' })) };
  validateCatalog ??= compiledSchemas({ catalog: JSON.parse(readFileSync(new URL('../../schemas/app-catalog.schema.json', import.meta.url), 'utf8')) }).catalog;
  const schemaFindings = checkSourceWith(validateCatalog, source);
  if (schemaFindings.length) return { findings: schemaFindings };
  const raw = (source.data as { apps: Record<string, RawApp> }).apps;
  const apps = Object.entries(raw)
    .map(([name, app]) => toSpec(name, app))
    .sort((a, b) => a.syncWave - b.syncWave);
  const findings = checkCatalog(apps, source);
  return findings.length ? { findings } : { catalog: { file, apps }, findings };
}

let loaded: AppCatalog | undefined;

/** The toolkit's app-catalog.yaml (beside schemas/, like them read from the toolkit's checkout), read and checked once. */
export function appCatalog(): AppCatalog {
  if (loaded) return loaded;
  let text: string;
  try {
    text = readFileSync(new URL(`../../${CATALOG_FILE}`, import.meta.url), 'utf8');
  } catch (err) {
    throw new EnvironmentError(`cannot read the toolkit's ${CATALOG_FILE} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
  const { catalog, findings } = parseAppCatalog(CATALOG_FILE, text);
  if (!catalog) throw new FindingsError(findings, `${findings.length} problem${findings.length === 1 ? '' : 's'} in ${CATALOG_FILE}`);
  loaded = catalog;
  return catalog;
}

/** Every app's name, in sync-wave order. */
export const appNames = (): AppName[] => appCatalog().apps.map((a) => a.name);

/** Whether a name (from a file name, a flag, a workflow input) is an app of the catalog. */
export const isAppName = (name: string): boolean => appCatalog().apps.some((a) => a.name === name);

/** The catalog entry of an app; an unknown name is a bug (names from outside go through isAppName first). */
export function appSpec(name: AppName): AppSpec {
  const spec = appCatalog().apps.find((a) => a.name === name);
  if (!spec) throw new Error(`'${name}' is not an app of ${CATALOG_FILE}`);
  return spec;
}

/** The apps that contribute to `target` on a cluster whose enabled apps are `enabled`, with each contribution. */
export function contributionsTo(target: AppName, enabled: AppName[]) {
  if (!enabled.includes(target)) return [];
  return appCatalog().apps.flatMap((from) =>
    enabled.includes(from.name)
      ? from.contributes.filter((c) => c.to === target && c.whenEnabled.every((a) => enabled.includes(a))).map((contribution) => ({ from, contribution }))
      : [],
  );
}

/** Hand-written folders and files under base/ that the catalog implies, beside each app's values.yaml. */
export function baseLayout() {
  const apps = appCatalog().apps;
  const rules = apps.filter((a) => a.rules || a.contributes.some((c) => c.rules));
  const extras = apps
    .map((a) => ({
      app: a.name,
      parts: [...(rules.includes(a) ? ['rules/'] : []), ...(a.alertmanager ? ['routing-tests.yaml'] : []), ...(a.dashboards ? ['dashboards/'] : [])],
    }))
    .filter((x) => x.parts.length);
  return {
    /** base/<app>/rules: alert rule files (and promtool tests in tests/). */
    rulesFolders: rules.map((a) => ({ app: a.name, folder: `${a.folder}/rules` })),
    /** base/<app>/routing-tests.yaml of the apps that run an Alertmanager. */
    routingTests: apps.filter((a) => a.alertmanager).map((a) => `${a.folder}/routing-tests.yaml`),
    /** base/<app>/dashboards of the app that shows them. */
    dashboardFolders: apps.filter((a) => a.dashboards).map((a) => ({ app: a.name, folder: `${a.folder}/dashboards` })),
    /** What an app folder holds, for messages: values.yaml (prometheus: rules/ and routing-tests.yaml, grafana: dashboards/). */
    holds: `values.yaml${extras.length ? ` (${extras.map((x) => `${x.app}: ${x.parts.join(' and ')}`).join(', ')})` : ''}`,
  };
}
