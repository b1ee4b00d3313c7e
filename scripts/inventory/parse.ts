import type { Finding } from '../lib/findings.ts';
import { appNames, baseLayout, isAppName, type AppName } from './app-catalog.ts';
import { crossCheck, type CrossCheckInput, type FleetEnvironments } from './cross-checks.ts';
import { checkDashboard, checkedProperty, checkRoutingTests, checkYaml, toCluster, toPins, type CheckedFile } from './parse-files.ts';
import { checkDashboardUids, checkRuleGroupNames } from './content-checks.ts';
import type { InventorySources } from './types.ts';
import { fileKey, NOTHING_KNOWN, type KnownFiles } from './parse-memo.ts';
import { lazySource } from '../lib/yaml.ts';
import { checkInventoryUrls } from './url-checks.ts';
import { isCleanFile } from './secrets.ts';
import type { Fleet, Inventory, RuleFile, Values } from './types.ts';

interface ParseResult {
  /** Present only when there are no findings. */
  inventory?: Inventory;
  findings: Finding[];
}

type Entries = [path: string, text: string][];

/** Parses and checks every hand-written file; sources in, inventory or findings out (what `known` remembers is reused and added to). */
export function parseInventory(sources: InventorySources, known: KnownFiles = NOTHING_KNOWN): ParseResult {
  const findings: Finding[] = [...(sources.problems ?? [])];
  const entries = (re: RegExp): Entries => [...sources.entries()].filter(([path]) => re.test(path));

  const { fleet, fleetEnvironments } = parseFleet(sources.get('fleet.yaml'), findings);
  const clusters = entries(/^clusters\//).flatMap(([file, text]) => {
    const checked = checkClusterFile(file, text, findings, known);
    return checked ? [{ checked, cluster: toCluster(file, checked.data) }] : [];
  });
  if (sources.size && !entries(/^clusters\//).length)
    findings.push({ file: 'clusters/', message: 'no cluster files found', hint: 'add clusters/<name>.yaml (see README: adding a cluster)' });
  const environments = parseEnvironments(entries(/^overlays\/[^/]+\/pins\.yaml$/), findings);
  const baseValues = parseValuesLayers(entries(/^overlays\/[^/]+\/[^/]+\.values\.yaml$|^base\/[^/]+\/values\.yaml$/), environments, findings);
  const layout = baseLayout();
  const within = (folder: string) => new RegExp(`^${folder}/[^/]+$`);
  const rules: RuleFile[] = layout.rulesFolders.flatMap(({ app, folder }) =>
    entries(within(folder)).flatMap(([file, text]) => {
      const checked = checkYaml<{ groups: Values[] }>('rules', file, text, findings);
      return checked ? [{ file, app, groups: checked.data.groups }] : [];
    }),
  );
  const routingTests = [...sources.keys()]
    .filter((p) => layout.routingTests.includes(p))
    .flatMap((file) => checkRoutingTests(file, sources.get(file)!, findings));
  const dashboards = layout.dashboardFolders.flatMap(({ folder }) =>
    entries(within(folder)).flatMap(([file, text]) => checkDashboard(file, text, findings) ?? []),
  );
  findings.push(...checkRuleGroupNames(rules), ...checkDashboardUids(dashboards));
  const pinFiles = new Set(entries(/^overlays\/[^/]+\/pins\.yaml$/).map(([path]) => path.split('/')[1]!));
  // Every problem at once: a schema problem in one file does not hold back the cross-file problems of the others.
  if (fleetEnvironments)
    findings.push(...crossCheck({ fleet: fleetEnvironments, clusters, environments, pinFiles, overlayEnvironments: overlayFolders(sources) }));
  const checkedPins = [...environments.values()].map((e) => e.pinsFile);
  findings.push(...checkInventoryUrls(fleet, checkedPins));
  if (findings.length || !fleet) return { findings };

  return {
    findings,
    inventory: {
      fleet: { ...fleet.data, environments: [...fleet.data.environments] },
      clusters: clusters.map((c) => c.cluster).sort((a, b) => a.name.localeCompare(b.name)),
      environments: fleet.data.environments.map((name) => environments.get(name)!.environment),
      base: { values: baseValues, rules, routingTests, dashboards },
    },
  };
}

/** A cluster file that parses and passes its schema: its data, and whether it holds no plaintext secret (findings are parseInventory's to report). */
export function passingClusterData(file: string, text: string): { data: Record<string, unknown>; clean: boolean } | undefined {
  const checked = checkYaml<Record<string, unknown>>('cluster', file, text, []);
  return checked && { data: checked.data, clean: isCleanFile(file, text, checked) };
}

/** A cluster file checked, or taken as checked when this exact file passed before. */
function checkClusterFile(file: string, text: string, findings: Finding[], known: KnownFiles): CheckedFile<Record<string, unknown>> | undefined {
  const key = fileKey(file, text);
  const data = known.cluster(key) as Record<string, unknown> | undefined;
  if (data) return { source: lazySource(file, text, data), data };
  const checked = checkYaml<Record<string, unknown>>('cluster', file, text, findings);
  if (!checked) return undefined;
  known.learnCluster(key, checked.data);
  // Scanned from the tree just built: the secrets scan would parse the file again (a second parse of 10,000 files).
  if (known.remembers && isCleanFile(file, text, checked)) known.learnClean(key);
  return checked;
}

/** fleet.yaml checked; when it failed its schema, still its environments if they pass theirs, for the cross-file checks. */
function parseFleet(text: string | undefined, findings: Finding[]): { fleet?: CheckedFile<Fleet>; fleetEnvironments?: CheckedFile<FleetEnvironments> } {
  if (text === undefined) {
    findings.push({ file: 'fleet.yaml', message: 'fleet.yaml is missing', hint: 'create fleet.yaml with repoURL, targetRevision and environments' });
    return {};
  }
  const fleet = checkYaml<Fleet>('fleet', 'fleet.yaml', text, findings);
  return { fleet, fleetEnvironments: fleet ?? checkedProperty<'environments', string[]>('fleet', 'fleet.yaml', text, 'environments') };
}

function parseEnvironments(pinFiles: Entries, findings: Finding[]): CrossCheckInput['environments'] {
  const environments: CrossCheckInput['environments'] = new Map();
  for (const [file, text] of pinFiles) {
    const name = file.split('/')[1]!;
    // biome-ignore lint/suspicious/noExplicitAny: read after its JSON Schema has accepted it, so its shape is known
    const checked = checkYaml<Record<string, any>>('pins', file, text, findings);
    if (checked) environments.set(name, { pinsFile: checked, environment: { name, pins: toPins(checked.data), values: {} } });
  }
  return environments;
}

/** Reads base/<app>/values.yaml and overlays/<env>/<app>.values.yaml; returns the base layer, fills the environments'. */
function parseValuesLayers(files: Entries, environments: CrossCheckInput['environments'], findings: Finding[]): Partial<Record<AppName, Values>> {
  const base: Partial<Record<AppName, Values>> = {};
  for (const [file, text] of files) {
    const parts = file.split('/');
    const app = file.startsWith('base/') ? parts[1]! : parts[2]!.replace(/\.values\.yaml$/, '');
    if (!isAppName(app)) {
      findings.push({
        file,
        message: `'${app}' is not an app of this repository`,
        hint: `values files are named after an app of app-catalog.yaml: ${appNames().join(', ')}`,
      });
      continue;
    }
    const values = checkYaml<Values>('values', file, text, findings)?.data;
    if (!values) continue;
    if (file.startsWith('base/')) base[app] = values;
    const env = environments.get(parts[1]!);
    if (!file.startsWith('base/') && env) env.environment.values[app] = values;
  }
  return base;
}

/** overlays/<env>/ folders that hold hand-written files, so unknown environments are reported. */
function overlayFolders(sources: InventorySources): CrossCheckInput['overlayEnvironments'] {
  const envs = new Set([...sources.keys()].filter((p) => p.startsWith('overlays/')).map((p) => p.split('/')[1]!));
  return [...envs].sort().map((env) => ({ env, file: `overlays/${env}/` }));
}
