import type { Finding } from '../lib/findings.ts';
import { positionOf } from '../lib/yaml.ts';
import { parseDuration, parseMatchers } from './promotion-gate.ts';
import { appNames, appSpec } from './app-catalog.ts';
import { destinationKey, reservedNamespaceFinding } from './destinations.ts';
import { FLEET_ROOT_NAME, rootProjectName } from './names.ts';
import type { CheckedFile } from './parse-files.ts';
import type { Cluster, Environment, Fleet } from './types.ts';

/**
 * What the cross-file checks read of fleet.yaml: its environments, and the settings keyed by them when the whole
 * file passed its schema (when it did not, only its environments, if they passed theirs).
 */
export type FleetEnvironments = Pick<Fleet, 'environments'> & Partial<Pick<Fleet, 'scheduling' | 'promotion' | 'codeOwners'>>;

export interface CrossCheckInput {
  fleet: CheckedFile<FleetEnvironments>;
  clusters: { checked: CheckedFile<unknown>; cluster: Cluster }[];
  environments: Map<string, { pinsFile: CheckedFile<unknown>; environment: Environment }>;
  /** overlays/<env> folders that hold hand-written files. */
  overlayEnvironments: { env: string; file: string }[];
  /** Environments that have a pins.yaml, valid or not (an invalid one is reported on its own). */
  pinFiles: Set<string>;
}

/** Checks that span files: names, environments, destinations, projects and pins. Files that failed their schema take no part. */
export function crossCheck(input: CrossCheckInput): Finding[] {
  return [...checkEnvironments(input), ...input.clusters.flatMap((c) => checkCluster(c, input)), ...checkUniqueness(input)];
}

function at(checked: CheckedFile<unknown>, path: (string | number)[]) {
  return { file: checked.source.file, ...positionOf(checked.source, path) };
}

function checkEnvironments({ fleet, pinFiles, overlayEnvironments }: CrossCheckInput): Finding[] {
  const known = fleet.data.environments;
  const findings: Finding[] = known.flatMap((env, i) =>
    pinFiles.has(env)
      ? []
      : [
          {
            ...at(fleet, ['environments', i]),
            message: `environment '${env}' has no overlays/${env}/pins.yaml`,
            hint: `create overlays/${env}/pins.yaml with the chart pins of ${env}, or remove '${env}' from environments`,
          },
        ],
  );
  for (const { env, file } of overlayEnvironments) {
    if (!known.includes(env))
      findings.push({
        file,
        message: `overlays/${env}/ is not an environment listed in fleet.yaml`,
        hint: `add '${env}' to environments in fleet.yaml (in promotion order) or delete overlays/${env}/`,
      });
  }
  for (const env of Object.keys(fleet.data.scheduling ?? {}).filter((e) => !known.includes(e))) {
    findings.push({
      ...at(fleet, ['scheduling', env]),
      message: `scheduling.${env}: '${env}' is not an environment listed in fleet.yaml`,
      hint: `use one of ${known.join(', ')}`,
    });
  }
  findings.push(...checkPromotionGates(fleet));
  for (const env of Object.keys(fleet.data.codeOwners?.environments ?? {}).filter((e) => !known.includes(e))) {
    findings.push({
      ...at(fleet, ['codeOwners', 'environments', env]),
      message: `codeOwners.environments.${env}: '${env}' is not an environment listed in fleet.yaml`,
      hint: `use one of ${known.join(', ')}`,
    });
  }
  return findings;
}

/** promotion.<env>: a known environment that is not the last, durations and Alertmanager matchers that parse. */
function checkPromotionGates(fleet: CheckedFile<FleetEnvironments>): Finding[] {
  const known = fleet.data.environments;
  const findings: Finding[] = [];
  for (const [env, gate] of Object.entries(fleet.data.promotion ?? {})) {
    if (!known.includes(env))
      findings.push({
        ...at(fleet, ['promotion', env]),
        message: `promotion.${env}: '${env}' is not an environment listed in fleet.yaml`,
        hint: `use one of ${known.slice(0, -1).join(', ')} (the gate of the environment pins are promoted from)`,
      });
    else if (env === known.at(-1))
      findings.push({
        ...at(fleet, ['promotion', env]),
        message: `promotion.${env}: ${env} is the last environment; nothing is promoted out of it`,
        hint: `put the gate on the environment promoted from: ${known.at(-2) ?? 'none'} guards what reaches ${env}`,
      });
    if (gate.soak !== undefined && !parseDuration(gate.soak))
      findings.push({
        ...at(fleet, ['promotion', env, 'soak']),
        message: `promotion.${env}.soak: '${gate.soak}' is zero`,
        hint: 'write a duration such as 24h, or leave soak out',
      });
    (gate.blockingAlerts ?? []).forEach((text, i) => {
      const parsed = parseMatchers(text);
      if ('problem' in parsed)
        findings.push({
          ...at(fleet, ['promotion', env, 'blockingAlerts', i]),
          message: `promotion.${env}.blockingAlerts: ${parsed.problem}`,
          hint: 'write Alertmanager matchers such as severity="critical" or {severity=~"critical|warning",team="platform"}',
        });
    });
  }
  return findings;
}

function checkCluster({ checked, cluster }: CrossCheckInput['clusters'][number], input: CrossCheckInput): Finding[] {
  const findings: Finding[] = [];
  const expected = cluster.file.replace(/^clusters\//, '').replace(/\.ya?ml$/, '');
  if (!cluster.file.endsWith('.yaml'))
    findings.push({ file: cluster.file, message: 'cluster files end in .yaml', hint: `rename it to clusters/${expected}.yaml` });
  if (cluster.name !== expected) {
    findings.push({
      ...at(checked, ['name']),
      message: `name '${cluster.name}' differs from the file name '${expected}'`,
      hint: `rename the file to clusters/${cluster.name}.yaml or set name: ${expected}`,
    });
  }
  const reserved = reservedNamespaceFinding(cluster, () => at(checked, ['destination', 'namespace']));
  if (reserved) findings.push(reserved);
  const env = input.environments.get(cluster.environment)?.environment;
  if (!input.fleet.data.environments.includes(cluster.environment)) {
    findings.push({
      ...at(checked, ['environment']),
      message: `unknown environment '${cluster.environment}'`,
      hint: `use one of: ${input.fleet.data.environments.join(', ')} (fleet.yaml lists the environments)`,
    });
    return findings;
  }
  for (const app of appNames().filter((a) => cluster.apps[a]?.enabled)) {
    // biome-ignore lint/suspicious/noExplicitAny: read after its JSON Schema has accepted it
    const enabled = (checked.data as any)?.apps?.[app] ? 'is enabled' : 'is enabled by default (app-catalog.yaml)';
    if (env && !env.pins[app]) {
      findings.push({
        ...at(checked, ['apps', app, 'enabled']),
        message: `${app} ${enabled} but overlays/${cluster.environment}/pins.yaml has no pin for it`,
        hint: `add ${app}: {repoURL, chart, version} to overlays/${cluster.environment}/pins.yaml, or set apps.${app}.enabled: false`,
      });
    }
    for (const needed of appSpec(app).requires.filter((r) => !cluster.apps[r]?.enabled))
      findings.push({
        ...at(checked, ['apps', app, 'enabled']),
        message: `${app} ${enabled} but needs ${needed} on the same cluster (app-catalog.yaml: requires), which is not enabled`,
        hint: `enable ${needed} (apps.${needed}.enabled: true), or set apps.${app}.enabled: false`,
      });
  }
  return findings;
}

/** Names, destinations and projects must be unique across the fleet. */
function checkUniqueness({ clusters }: CrossCheckInput): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<string, Cluster>();
  /** Records `key` for this cluster; reports and returns true when another cluster has it already. */
  const claim = (key: string, c: CrossCheckInput['clusters'][number], path: string[], what: string, hint: string): boolean => {
    const first = seen.get(key);
    if (!first) return !seen.set(key, c.cluster);
    findings.push({ ...at(c.checked, path), message: `${what} is also used by ${first.file}`, hint });
    return true;
  };
  for (const c of clusters) {
    const { name, destination: d, argocd } = c.cluster;
    claim(`name:${name}`, c, ['name'], `cluster name '${name}'`, 'give every cluster a unique name');
    const target = d.name !== undefined ? `destination.name '${d.name}'` : `destination.server '${d.server}'`;
    claim(
      `dest:${destinationKey(d)}`,
      c,
      ['destination', d.name !== undefined ? 'name' : 'server'],
      target,
      'each cluster needs its own Argo CD destination; two inventory files for one cluster would deploy the stack twice',
    );
    // One report per cluster: the root project collides whenever the project does.
    [argocd.project, rootProjectName(c.cluster)].some((project) =>
      project === FLEET_ROOT_NAME || project === `${FLEET_ROOT_NAME}-${argocd.namespace}`
        ? findings.push({
            ...at(c.checked, ['argocd', 'project']),
            message: `AppProject '${project}' is the fleet root's name (apps/fleet-${argocd.namespace}.yaml)`,
            hint: 'set argocd.project to another name, such as monitoring-<cluster>-stack',
          })
        : claim(
            `project:${argocd.namespace}/${project}`,
            c,
            ['argocd', 'project'],
            `AppProject '${project}' in namespace '${argocd.namespace}'`,
            'give each cluster its own argocd.project (the default is monitoring-<name>; the root uses <project>-root)',
          ),
    );
  }
  return findings;
}
