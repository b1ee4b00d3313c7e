import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import type { ChartPin } from '../inventory/types.ts';
import { cacheDir } from '../lib/cache.ts';
import { EnvironmentError } from '../lib/errors.ts';
import { run, tail } from '../lib/exec.ts';
import { workTemp } from '../lib/work-dir.ts';
import { resolveRepository, type MirrorMap } from '../inventory/mirrors.ts';

/** The pinned version is not in the repository: a finding about the pin, not an environment problem. */
export class ChartVersionMissing extends Error {
  override name = 'ChartVersionMissing';
}

/** A chart unpacked in the cache, with a digest of its files for render cache keys. */
export interface CachedChart {
  /** Folder that holds `<chart>/`. */
  home: string;
  digest: string;
  /** The URL it was fetched from (the mirror when one applies). */
  fetchedFrom: string;
}

/** Helm's own config/cache/data under our cache, so the user's helm setup neither leaks in nor is touched. */
export function helmEnv(): Record<string, string> {
  const home = cacheDir('helm');
  return { HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') };
}

/** Folder of a chart version in the cache, keyed by the URL actually fetched: a mirror's copy never poses as upstream's. */
function chartCachePath(url: string, pin: ChartPin): string {
  const key = createHash('sha256').update(url).digest('hex').slice(0, 12);
  return cacheDir('charts', key, `${pin.chart}-${pin.version}`);
}

/** Pulls a pinned chart (through the mirror map) unless that exact version is cached; returns where it is. */
export async function ensureChart(pin: ChartPin, mirrors: MirrorMap, helm: string): Promise<CachedChart> {
  const url = resolveRepository(pin.repoURL, mirrors);
  const home = chartCachePath(url, pin);
  const digestFile = join(home, '.digest');
  if (existsSync(digestFile)) return { home, digest: readFileSync(digestFile, 'utf8'), fetchedFrom: url };
  // Pulled into this run's work folder (gone with the run if it is interrupted), then renamed into place.
  const staging = workTemp('chart-');
  try {
    const target = url.startsWith('oci://') ? [`${url}/${pin.chart}`] : [pin.chart, '--repo', url];
    const result = await run(helm, ['pull', ...target, '--version', pin.version, '--untar', '--untardir', staging], { env: helmEnv() });
    if (result.exitCode !== 0) throw pullError(pin, url, result.stderr);
    checkPulledChart(staging, pin);
    writeFileSync(join(staging, '.digest'), digestTree(join(staging, pin.chart)));
    rmSync(home, { recursive: true, force: true });
    mkdirSync(dirname(home), { recursive: true });
    renameSync(staging, home);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { home, digest: readFileSync(digestFile, 'utf8'), fetchedFrom: url };
}

function pullError(pin: ChartPin, url: string, stderr: string): Error {
  const where = url === pin.repoURL ? url : `${url} (mirror of ${pin.repoURL})`;
  if (/not found|no chart version found|manifest unknown/i.test(stderr) && !/cannot be reached|connection refused|no such host|timeout/i.test(stderr)) {
    return new ChartVersionMissing(`chart ${pin.chart} version ${pin.version} is not in ${where}`);
  }
  return new EnvironmentError(
    `cannot fetch chart ${pin.chart} ${pin.version} from ${where}:\n${tail(stderr, 4)}\nfix: check the network or point ${pin.repoURL} at a reachable mirror (helm-mirrors.yaml or MONITORING_GITOPS_HELM_MIRRORS)`,
  );
}

/** The cache is never trusted for another version: the unpacked Chart.yaml must say exactly what was pinned. */
function checkPulledChart(staging: string, pin: ChartPin): void {
  const chartYaml = join(staging, pin.chart, 'Chart.yaml');
  const meta = existsSync(chartYaml) ? (parse(readFileSync(chartYaml, 'utf8')) as { name?: string; version?: string }) : {};
  if (meta.name !== pin.chart || meta.version !== pin.version) {
    throw new EnvironmentError(
      `the repository served ${meta.name ?? '?'} ${meta.version ?? '?'} when asked for ${pin.chart} ${pin.version}; refusing to use it`,
    );
  }
}

/** sha256 over every file's relative path and content, in a stable order. */
function digestTree(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const abs = join(d, name);
      if (statSync(abs).isDirectory()) walk(abs, `${rel}${name}/`);
      else hash.update(`${rel}${name}\0`).update(readFileSync(abs)).update('\0');
    }
  };
  walk(dir, '');
  return hash.digest('hex');
}
