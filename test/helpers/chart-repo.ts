import { createReadStream, rmSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve, sep } from 'node:path';
import { run, tail } from '../../scripts/lib/exec.ts';
import { ensureTool } from '../../scripts/tools/install.ts';

/** The charts written for the tests (test doubles of the real charts' values layout), one folder per version. */
export const TEST_CHARTS_DIR = new URL('../charts/', import.meta.url).pathname;

/** Set by a test runner that serves one repository for the whole run; sharedChartRepository() then uses it. */
export const CHART_REPO_ENV = 'MONITORING_GITOPS_TEST_CHART_REPO';

/** A Helm chart repository (index.yaml + packaged charts) served over HTTP on 127.0.0.1. */
export interface ChartRepository {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 (what `helm pull --repo` and `helmCharts[].repo` take). */
  url: string;
  /** The served folder: index.yaml and <name>-<version>.tgz. */
  dir: string;
  /** Stops serving and removes the folder. */
  stop(): Promise<void>;
}

export interface ChartRepositoryOptions {
  /** Chart folders to package; default every folder of test/charts/. */
  charts?: string[];
}

const CONTENT_TYPES: Record<string, string> = {
  '.yaml': 'application/x-yaml',
  '.tgz': 'application/gzip',
  '.prov': 'application/pgp-signature',
  '.json': 'application/json',
};

let helmPath: Promise<string> | undefined;

/** The pinned helm (installed once by the toolkit); memoised because the check runs `go version -m`. */
export function pinnedHelm(): Promise<string> {
  helmPath ??= ensureTool('helm');
  return helmPath;
}

/** Environment that keeps helm's config, cache and data in `home` instead of the user's ~/.config/helm. */
export function helmEnv(home: string): Record<string, string> {
  return { HELM_CONFIG_HOME: join(home, 'config'), HELM_CACHE_HOME: join(home, 'cache'), HELM_DATA_HOME: join(home, 'data') };
}

/** Runs the pinned helm with an isolated home; throws with helm's last lines when it fails. */
export async function runHelm(args: string[], home: string): Promise<string> {
  const result = await run(await pinnedHelm(), args, { env: helmEnv(home) });
  if (result.exitCode !== 0) throw new Error(`helm ${args.join(' ')} failed (exit ${result.exitCode}):\n${tail(result.stderr || result.stdout)}`);
  return result.stdout;
}

/** Every chart folder under test/charts/, sorted. */
export async function testChartDirs(): Promise<string[]> {
  const entries = await readdir(TEST_CHARTS_DIR, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => join(TEST_CHARTS_DIR, e.name))
    .sort();
}

/**
 * Packages the charts with the pinned helm (one `helm package` for all), serves them on 127.0.0.1 with a
 * random free port and writes index.yaml with `helm repo index --url <url>`.
 */
export async function startChartRepository(options: ChartRepositoryOptions = {}): Promise<ChartRepository> {
  return startRepository(options, false);
}

async function startRepository(options: ChartRepositoryOptions, unref: boolean): Promise<ChartRepository> {
  const root = await mkdtemp(join(tmpdir(), 'monitoring-gitops-chart-repo-'));
  const dir = join(root, 'repo');
  const home = join(root, 'helm');
  let server: Server | undefined;
  try {
    await mkdir(dir);
    const charts = options.charts ?? (await testChartDirs());
    await runHelm(['package', '--destination', dir, ...(await withPackagedSubcharts(charts, join(root, 'src'), home))], home);
    server = await listen(dir, unref);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await runHelm(['repo', 'index', dir, '--url', url], home);
    const running = server;
    return { url, dir, stop: () => stopRepository(running, root) };
  } catch (err) {
    if (server) server.close();
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Copies of the charts whose subchart folders are replaced by packaged archives, as a released chart
 * carries them (`helm dependency build` puts .tgz files in charts/), so tests meet that layout too.
 */
async function withPackagedSubcharts(charts: string[], work: string, home: string): Promise<string[]> {
  return Promise.all(
    charts.map(async (chart) => {
      const subcharts = join(chart, 'charts');
      const entries = await readdir(subcharts, { withFileTypes: true }).catch(() => []);
      if (!entries.some((e) => e.isDirectory())) return chart;
      const copy = join(work, basename(chart));
      await cp(chart, copy, { recursive: true });
      await rm(join(copy, 'charts'), { recursive: true });
      await mkdir(join(copy, 'charts'));
      const dirs = entries.filter((e) => e.isDirectory()).map((e) => join(subcharts, e.name));
      await runHelm(['package', '--destination', join(copy, 'charts'), ...dirs], home);
      return copy;
    }),
  );
}

async function stopRepository(server: Server, root: string): Promise<void> {
  await new Promise<void>((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });
  await rm(root, { recursive: true, force: true });
}

/** Serves the files of `dir` (GET and HEAD); anything else is 404 or 405. */
function listen(dir: string, unref: boolean): Promise<Server> {
  const server = createServer((req, res) => void serveFile(dir, req, res));
  if (unref) {
    server.unref();
    server.on('connection', (socket) => socket.unref());
  }
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done(server));
  });
}

async function serveFile(dir: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
    return;
  }
  const path = safePath(dir, req.url ?? '/');
  const info = path ? await stat(path).catch(() => undefined) : undefined;
  if (!path || !info?.isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    return;
  }
  res.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream', 'Content-Length': info.size });
  if (req.method === 'HEAD') res.end();
  else
    createReadStream(path)
      .on('error', () => res.destroy())
      .pipe(res);
}

/** The file a request path names inside `dir`, or undefined when it would leave the folder. */
function safePath(dir: string, requestUrl: string): string | undefined {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(requestUrl, 'http://localhost').pathname);
  } catch {
    return undefined;
  }
  const path = resolve(dir, `.${pathname}`);
  return path.startsWith(dir + sep) ? path : undefined;
}

let shared: Promise<ChartRepository> | undefined;

/**
 * The URL of the test chart repository for this process: $MONITORING_GITOPS_TEST_CHART_REPO when a runner
 * serves one for the whole run, else one started on first use. That one never keeps the process alive and
 * is removed when the process exits, so test files need no after() for it.
 */
export async function sharedChartRepository(): Promise<string> {
  const fromEnv = process.env[CHART_REPO_ENV];
  if (fromEnv) return fromEnv.replace(/\/+$/, '');
  shared ??= startRepository({}, true).then((repo) => {
    process.once('exit', () => rmSync(join(repo.dir, '..'), { recursive: true, force: true }));
    return repo;
  });
  return (await shared).url;
}

/** Stops the repository sharedChartRepository() started, if any (for an explicit after()). */
export async function stopSharedChartRepository(): Promise<void> {
  const started = shared;
  shared = undefined;
  if (started) await (await started).stop();
}

/**
 * Puts chart `name` `version` from `repo` where kustomize's helmCharts look for it when both `repo` and
 * `version` are set (<leaf>/charts/<name>-<version>/<name>), so `kustomize build` never pulls by itself.
 */
export async function seedLeafChart(leaf: string, chart: { repo: string; name: string; version: string }): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'monitoring-gitops-helm-'));
  const untarDir = join(leaf, 'charts', `${chart.name}-${chart.version}`);
  try {
    await runHelm(['pull', '--repo', chart.repo, chart.name, '--version', chart.version, '--untar', '--untardir', untarDir], home);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  return join(untarDir, chart.name);
}
