import { parse } from 'yaml';
import { appNames } from '../inventory/app-catalog.ts';
import type { Inventory } from '../inventory/types.ts';
import { resolveRepository, type MirrorMap } from '../inventory/mirrors.ts';
import { redactUrls } from '../lib/redact.ts';
import { compareVersions, isStableVersion, versionGap } from '../lib/versions.ts';
import type { DriftItem, DriftSection } from './types.ts';

/** One published chart version, as a Helm repository index or a registry lists it. */
interface ChartRelease {
  version: string;
  created?: string;
  deprecated?: boolean;
}

/** Repositories known to have moved: charts should be pinned from the new home. */
const MOVED_REPOSITORIES: Record<string, string> = {
  'https://grafana.github.io/helm-charts': 'https://grafana-community.github.io/helm-charts',
};

/** The releases of every chart in a Helm repository index (index.yaml). Pure. */
function parseIndex(text: string): Map<string, ChartRelease[]> {
  const index = (parse(text) ?? {}) as { entries?: Record<string, { version?: string; created?: string; deprecated?: boolean }[]> };
  return new Map(
    Object.entries(index.entries ?? {}).map(([chart, list]) => [
      chart,
      list.filter((e) => e.version).map((e) => ({ version: String(e.version), created: e.created, deprecated: e.deprecated === true })),
    ]),
  );
}

/** Reads a chart's releases: index.yaml for http(s), the registry's tag list for oci:// (through the mirror map). */
export async function readReleases(repoURL: string, chart: string, mirrors: MirrorMap): Promise<ChartRelease[]> {
  const url = resolveRepository(repoURL, mirrors);
  if (url.startsWith('oci://')) return (await readOciTags(url, chart)).map((version) => ({ version }));
  const res = await fetchExplained(`${url}/index.yaml`);
  if (!res.ok) throw new Error(`${url}/index.yaml answered ${res.status}`);
  return parseIndex(await res.text()).get(chart) ?? [];
}

/** fetch, whose network failures name the URL (credentials hidden: the reason goes into the report) and the cause (`fetch failed` alone says neither). */
async function fetchExplained(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(20_000), ...init });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(redactUrls(`${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`), { cause: err });
  }
}

/** Docker Registry v2 tag list, with the anonymous bearer token public registries ask for. */
async function readOciTags(url: string, chart: string): Promise<string[]> {
  const [host, ...path] = url.slice('oci://'.length).split('/');
  const endpoint = `https://${host}/v2/${[...path, chart].join('/')}/tags/list`;
  let res = await fetchExplained(endpoint);
  const challenge = res.headers.get('www-authenticate');
  if (res.status === 401 && challenge?.startsWith('Bearer ')) {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const token = await fetchExplained(
      `${params.realm}?service=${encodeURIComponent(params.service ?? '')}&scope=${encodeURIComponent(params.scope ?? '')}`,
    ).then((r) => r.json() as Promise<{ token?: string }>);
    res = await fetchExplained(endpoint, { headers: { Authorization: `Bearer ${token.token}` } });
  }
  if (!res.ok) throw new Error(`${endpoint} answered ${res.status}`);
  return ((await res.json()) as { tags?: string[] }).tags ?? [];
}

/** Newest stable release: pre-releases and unparsable versions ignored. */
function newestStable(releases: ChartRelease[]): ChartRelease | undefined {
  return releases.filter((r) => isStableVersion(r.version)).sort((a, b) => compareVersions(b.version, a.version))[0];
}

export type ReleaseLookup = Map<string, ChartRelease[] | Error>;
export const lookupKey = (repoURL: string, chart: string) => `${repoURL}|${chart}`;

/** Us vs upstream, per app and chart: newest stable version, the gap per environment, deprecation and moves. Pure. */
export function upstreamSection(inventory: Inventory, lookup: ReleaseLookup, now: Date): DriftSection {
  const items: DriftItem[] = [];
  const unreachable: { repoURL: string; why: string }[] = [];
  for (const app of appNames()) {
    const pins = inventory.environments.flatMap((env) => (env.pins[app] ? [{ env: env.name, pin: env.pins[app]! }] : []));
    for (const repoChart of new Set(pins.map((p) => lookupKey(p.pin.repoURL, p.pin.chart)))) {
      const mine = pins.filter((p) => lookupKey(p.pin.repoURL, p.pin.chart) === repoChart);
      const { repoURL, chart } = mine[0]!.pin;
      const moved = MOVED_REPOSITORIES[repoURL.replace(/\/+$/, '')];
      if (moved)
        items.push({
          section: 'upstream',
          key: `upstream:${app}:moved:${repoURL}`,
          kind: 'moved',
          severity: 'warning',
          app,
          summary: `${app}: ${repoURL} has moved to ${moved}`,
          action: `pin ${chart} from ${moved} in overlays/*/pins.yaml`,
        });
      const releases = lookup.get(repoChart);
      if (!releases || releases instanceof Error) {
        // Once per repository: several charts of one repository (prometheus and its blackbox exporter) fail alike.
        if (!unreachable.some((u) => u.repoURL === repoURL)) unreachable.push({ repoURL, why: releases instanceof Error ? releases.message : 'not read' });
        continue;
      }
      items.push(...versionItems(app, chart, mine, releases, now));
    }
  }
  return {
    section: 'upstream',
    status: unreachable.length ? (items.length ? 'partial' : 'skipped') : 'checked',
    ...(unreachable.length
      ? {
          reason: `unreachable: ${unreachable.map((u) => `${u.repoURL} (${u.why})`).join('; ')}`,
          errors: unreachable.map((u) => `cannot read ${u.repoURL}: ${u.why}`),
        }
      : {}),
    items,
  };
}

function versionItems(app: string, chart: string, pins: { env: string; pin: { version: string } }[], releases: ChartRelease[], now: Date): DriftItem[] {
  const items: DriftItem[] = [];
  const newest = newestStable(releases);
  const pinnedRelease = (version: string) => releases.find((r) => r.version === version);
  for (const { env, pin } of pins)
    if (pinnedRelease(pin.version)?.deprecated)
      items.push({
        section: 'upstream',
        key: `upstream:${app}:deprecated:${pin.version}`,
        kind: 'deprecated-chart',
        severity: 'warning',
        app,
        environment: env,
        summary: `${app}: ${chart} ${pin.version} (pinned in ${env}) is marked deprecated in its repository`,
        action: "find the chart's new home or replacement and move the pins",
      });
  if (!newest) return items;
  const behind = pins.filter((p) => compareVersions(newest.version, p.pin.version) > 0);
  if (!behind.length) return items;
  const gaps = behind.map((p) => `${p.env} ${p.pin.version} (${versionGap(p.pin.version, newest.version)})`);
  const worst = behind.some((p) => versionGap(p.pin.version, newest.version) === 'major') ? 'warning' : 'info';
  const age = newest.created ? `, released ${Math.max(0, Math.floor((now.getTime() - Date.parse(newest.created)) / 86_400_000))} days ago` : '';
  items.push({
    section: 'upstream',
    key: `upstream:${app}:behind:${newest.version}`,
    kind: 'behind-upstream',
    severity: worst,
    app,
    summary: `${app}: ${chart} ${newest.version} is out${age}; pinned: ${gaps.join(', ')}`,
    ...(newest.created ? { since: newest.created } : {}),
    action: `Renovate (or a pull request) bumps overlays/${pins[0]!.env}/pins.yaml; then npm run promote`,
  });
  return items;
}
