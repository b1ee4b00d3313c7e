import type { Finding } from '../lib/findings.ts';
import { isMap } from '../lib/values.ts';
import { positionOf, type SourceDocument } from '../lib/yaml.ts';
import type { AppSpec } from './app-catalog-types.ts';
import { GATEWAY_PLACEHOLDERS, OPTIONAL_PLACEHOLDERS, PLACEHOLDERS, placeholdersIn } from './app-templates.ts';

type Path = (string | number)[];

/** Checks across the catalog's entries, after its schema: names that exist, waves that agree, placeholders that resolve. */
export function checkCatalog(apps: AppSpec[], source: SourceDocument): Finding[] {
  const at = (path: Path, message: string, hint: string): Finding => ({ file: source.file, ...positionOf(source, ['apps', ...path]), message, hint });
  const byName = new Map(apps.map((a) => [a.name, a]));
  const known = apps.map((a) => a.name).join(', ');
  const unknown = (path: Path, name: string): Finding[] =>
    byName.has(name) ? [] : [at(path, `'${name}' is not an app of the catalog`, `name one of ${known}`)];
  return [
    ...apps.flatMap((app) => [
      ...app.requires.flatMap((name, i) => {
        const path = [app.name, 'requires', i];
        const required = byName.get(name);
        if (name === app.name) return [at(path, `${app.name} requires itself`, 'remove it from requires')];
        if (!required) return unknown(path, name);
        return required.syncWave < app.syncWave
          ? []
          : [
              at(
                path,
                `${app.name} requires ${name}, which must be synced before it, but its syncWave ${required.syncWave} is not lower than ${app.syncWave}`,
                `give ${app.name} a syncWave above ${required.syncWave}`,
              ),
            ];
      }),
      ...app.contributes.flatMap((c, i) => [
        ...(c.to === app.name
          ? [at([app.name, 'contributes', i, 'to'], `${app.name} contributes to itself`, 'put its own values in base/<app>/values.yaml')]
          : unknown([app.name, 'contributes', i, 'to'], c.to)),
        ...c.whenEnabled.flatMap((name, j) => unknown([app.name, 'contributes', i, 'whenEnabled', j], name)),
        ...(c.rules && byName.get(c.to) && !byName.get(c.to)!.rules
          ? [
              at(
                [app.name, 'contributes', i, 'rules'],
                `${c.to} does not load rules (it has no rules: path)`,
                `give ${c.to} a rules: value path, or remove rules: here`,
              ),
            ]
          : []),
      ]),
      ...placeholderFindings(app, at),
    ]),
    ...uniqueFindings(apps, at),
  ];
}

/** Release names are unique, one app shows dashboards, and a Secret read by several apps has the same keys everywhere. */
function uniqueFindings(apps: AppSpec[], at: (path: Path, message: string, hint: string) => Finding): Finding[] {
  const findings: Finding[] = [];
  const releases = new Map<string, string>();
  const secrets = new Map<string, { app: string; keys: string }>();
  for (const app of apps) {
    const other = releases.get(app.releaseName);
    if (other) findings.push(at([app.name, 'releaseName'], `releaseName '${app.releaseName}' is also ${other}'s`, 'give every app its own release name'));
    releases.set(app.releaseName, app.name);
    app.secrets.forEach((secret, i) => {
      const keys = [...secret.keys].sort().join(', ');
      const first = secrets.get(secret.name);
      if (first && first.keys !== keys)
        findings.push(
          at(
            [app.name, 'secrets', i, 'keys'],
            `Secret ${secret.name} has keys ${keys} here but ${first.keys} in ${first.app}`,
            'list the same keys wherever the Secret is read: one Secret is made per cluster',
          ),
        );
      if (!first) secrets.set(secret.name, { app: app.name, keys });
    });
  }
  const shows = apps.filter((a) => a.dashboards);
  for (const extra of shows.slice(1))
    findings.push(at([extra.name, 'dashboards'], `${shows[0]!.name} shows the dashboards already`, 'keep dashboards: on one app'));
  return findings;
}

/** Every placeholder is known; gateway ones only in whenGateway; an optional one only as a whole value; none in keys. */
function placeholderFindings(app: AppSpec, at: (path: Path, message: string, hint: string) => Finding): Finding[] {
  const blocks: [Path, unknown, boolean][] = [
    [[app.name, 'clusterValues'], app.clusterValues, false],
    [[app.name, 'whenIngress'], app.whenIngress, false],
    [[app.name, 'whenGateway'], app.whenGateway, true],
    ...app.contributes.map((c, i): [Path, unknown, boolean] => [[app.name, 'contributes', i, 'values'], c.values, false]),
  ];
  const findings: Finding[] = [];
  const visit = (value: unknown, path: Path, gateway: boolean) => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        visit(v, [...path, i], gateway);
      });
      return;
    }
    if (isMap(value)) {
      for (const [key, v] of Object.entries(value)) {
        if (placeholdersIn(key).length) findings.push(at([...path, key], `placeholder in the key '${key}'`, 'placeholders go in values, not in keys'));
        visit(v, [...path, key], gateway);
      }
      return;
    }
    if (typeof value !== 'string') return;
    for (const { name, whole } of placeholdersIn(value)) {
      if (!PLACEHOLDERS[name])
        findings.push(
          at(
            path,
            `unknown placeholder \${${name}}`,
            `use one of ${Object.keys(PLACEHOLDERS)
              .map((p) => `\${${p}}`)
              .join(', ')}`,
          ),
        );
      else if (GATEWAY_PLACEHOLDERS.includes(name) && !gateway)
        findings.push(at(path, `\${${name}} outside whenGateway: clusters without a gateway have none`, 'move the value into whenGateway'));
      else if (OPTIONAL_PLACEHOLDERS.includes(name) && !whole)
        findings.push(at(path, `\${${name}} can be absent, so it must be the whole value (which is then left out)`, `write the value as just \${${name}}`));
    }
  };
  for (const [path, value, gateway] of blocks) visit(value, path, gateway);
  return findings;
}
