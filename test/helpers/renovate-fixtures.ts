import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import semver from 'semver';
import { parse } from 'yaml';
import type { StandInPackages, StandInRelease } from './registry-stand-in.ts';

/**
 * What the registry stand-in offers for each dependency of a checkout, built from the pins it holds so
 * that the fixture follows every bump. Ages in days: 0.1 is younger than any minimumReleaseAge, 10 older.
 */
export interface UpdateFixture {
  packages: StandInPackages;
  /** The first chart of overlays/dev/pins.yaml: a minor 10 days old, a newer minor 0.1 day old, a major 10 days old. */
  settledChart: { name: string; minor: string; youngMinor: string; major: string };
  /** The second chart: only a young minor, and a major 10 days old that the Dependency Dashboard approved. */
  youngChart: { name: string; current: string; youngMinor: string; major: string };
  /** tools/npm-tools.json: Renovate gets a minor 10 days old and a young major; Node a minor and an odd major, both 10 days old. */
  renovate: { minor: string; major: string };
  node: { minor: string; oddMajor: string };
  /** tools/pins.json: a patch release of Argo CD, 10 days old. */
  argocd: { patch: string };
}

const at = (version: string, ageDays: number): StandInRelease => ({ version, ageDays });
const next = (version: string, part: 'major' | 'minor' | 'patch') => semver.inc(version, part) ?? version;

export async function updateFixture(root: string): Promise<UpdateFixture> {
  const json = async (file: string) => JSON.parse(await readFile(join(root, file), 'utf8'));
  const pins = Object.values(parse(await readFile(join(root, 'overlays/dev/pins.yaml'), 'utf8')) as Record<string, { chart: string; version: string }>);
  const [first, second] = pins;
  if (!first || !second) throw new Error('overlays/dev/pins.yaml: the fixture needs two charts');
  const settledChart = {
    name: first.chart,
    minor: next(first.version, 'minor'),
    youngMinor: next(next(first.version, 'minor'), 'minor'),
    major: next(first.version, 'major'),
  };
  const youngChart = { name: second.chart, current: second.version, youngMinor: next(second.version, 'minor'), major: next(second.version, 'major') };
  const tools = await json('tools/npm-tools.json');
  const renovate = { minor: next(tools.renovate.version, 'minor'), major: next(tools.renovate.version, 'major') };
  const nodeMajor = semver.major(tools.node.version);
  const node = { minor: next(tools.node.version, 'minor'), oddMajor: `${nodeMajor % 2 === 0 ? nodeMajor + 1 : nodeMajor + 2}.0.0` };
  const argo = (await json('tools/pins.json')).argocd as { module: string; version: string };
  const argocd = { patch: `v${next(argo.version, 'patch')}` };
  const pkg = await json('package.json');
  const npmDeps = Object.entries<string>({ ...pkg.dependencies, ...pkg.devDependencies }).map(([name, v]) => [name, [at(v, 100), at(next(v, 'patch'), 0.1)]]);
  const packages: StandInPackages = {
    charts: {
      [settledChart.name]: [at(first.version, 40), at(settledChart.minor, 10), at(settledChart.youngMinor, 0.1), at(settledChart.major, 10)],
      [youngChart.name]: [at(second.version, 40), at(youngChart.youngMinor, 0.1), at(youngChart.major, 10)],
    },
    npm: {
      ...Object.fromEntries(npmDeps),
      [tools.renovate.package]: [at(tools.renovate.version, 30), at(renovate.minor, 10), at(renovate.major, 0.1)],
      [tools.node.package]: [at(tools.node.version, 60), at(node.minor, 10), at(node.oddMajor, 10)],
    },
    go: { [argo.module]: [at(argo.version, 30), at(argocd.patch, 10)] },
  };
  return { packages, settledChart, youngChart, renovate, node, argocd };
}
