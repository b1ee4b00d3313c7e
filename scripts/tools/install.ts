import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../lib/cache.ts';
import { EnvironmentError } from '../lib/errors.ts';
import { run, tail } from '../lib/exec.ts';
import { readToolPins, type ToolName, type ToolPin } from './pins.ts';

/** Where a pinned tool lives: one folder per version, so a pin change never reuses an old binary. */
export function toolPath(name: ToolName, pin: ToolPin = readToolPins().tools[name]): string {
  return cacheDir('tools', `${name}@${pin.version}`, name);
}

/** Checks that Go is there and new enough to build the pins; exit 2 with what to install otherwise. */
export async function checkGo(): Promise<string> {
  const minimum = readToolPins().go.minimum;
  const result = await run('go', ['env', 'GOVERSION']).catch((err) => {
    throw new EnvironmentError(`Go is not installed; the pinned tools are built with it. Install Go ${minimum} or newer (https://go.dev/doc/install) and put it on PATH`, { cause: err });
  });
  const version = /go(\d+\.\d+(?:\.\d+)?)/.exec(result.stdout)?.[1];
  if (!version || compareVersions(version, minimum) < 0) {
    throw new EnvironmentError(`Go ${version ?? '(unknown)'} is too old: the pinned tools need Go ${minimum} or newer. Install a newer Go and run \`npm run tools\` again`);
  }
  return version;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/** Whether the binary at `path` was built from the pinned module version (read from its Go build info). */
export async function isPinnedBuild(path: string, pin: ToolPin): Promise<boolean> {
  if (!existsSync(path)) return false;
  const info = await run('go', ['version', '-m', path]).catch(() => undefined);
  if (!info) return false; // no Go to ask: checkGo explains what to install
  return info.exitCode === 0 && new RegExp(`^\\s*mod\\s+${escape(pin.module)}\\s+${escape(pin.version)}\\s`, 'm').test(info.stdout);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export type Progress = (line: string) => void;

/** Installs one pinned tool with `go install` unless the right build is already cached; returns its path. */
export async function ensureTool(name: ToolName, progress: Progress = () => {}): Promise<string> {
  const pin = readToolPins().tools[name];
  const path = toolPath(name, pin);
  if (await isPinnedBuild(path, pin)) return path;
  await checkGo();
  const staging = `${path}.partial-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  const started = Date.now();
  progress(`installing ${name} ${pin.version}: go install ${pin.package}@${pin.version} (first time only; helm and promtool take minutes)`);
  const args = ['install', '-trimpath', ...(pin.ldflags ? [`-ldflags=${pin.ldflags}`] : []), `${pin.package}@${pin.version}`];
  const result = await run('go', args, { env: { GOBIN: staging, GOFLAGS: '-buildvcs=false' } });
  if (result.exitCode !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new EnvironmentError(`go install ${pin.package}@${pin.version} failed:\n${tail(result.stderr)}\nfix: check that the Go module proxy is reachable (GOPROXY) and that Go is ${readToolPins().go.minimum}+`);
  }
  // Move into place only once built, so an interrupted install never leaves a half-written binary.
  mkdirSync(join(path, '..'), { recursive: true });
  renameSync(join(staging, name), path);
  rmSync(staging, { recursive: true, force: true });
  progress(`installed ${name} ${pin.version} in ${Math.round((Date.now() - started) / 1000)}s → ${path}`);
  return path;
}

/** Installs every pinned tool (or the named ones), one at a time: go builds use both cores already. */
export async function ensureTools(names: ToolName[], progress: Progress = () => {}): Promise<Record<ToolName, string>> {
  const paths = {} as Record<ToolName, string>;
  for (const name of names) paths[name] = await ensureTool(name, progress);
  return paths;
}

export const ALL_TOOLS = Object.keys(readToolPins().tools) as ToolName[];
