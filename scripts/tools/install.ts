import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheDir, writeCacheFile } from '../lib/cache.ts';
import { compareVersions } from '../lib/versions.ts';
import { EnvironmentError } from '../lib/errors.ts';
import { run } from '../lib/exec.ts';
import { goBuildInto, type GoBuild } from './go-build.ts';
import { withEmbedded } from './embeds.ts';
import { readBundledTools, type BundledTools } from './argocd-release.ts';
import { binaryName, builtWithPinnedGo, PINS_FILE, readToolPins, withVersion, type ToolName, type ToolPin } from './pins.ts';

/** Where a pinned tool (or runtime program) lives: one folder per version, so a pin change never reuses an old binary. */
export function toolPath(name: string, pin: ToolPin): string {
  return cacheDir('tools', `${name}@${pin.version}`, name);
}

/** A tool's pin with its version: the pinned one, or the one the pinned Argo CD release bundles. */
async function resolveToolPin(name: ToolName): Promise<ToolPin> {
  const spec = readToolPins().tools[name];
  if (spec.embeds) return withEmbedded(spec, await Promise.all(spec.embeds.map(resolveToolPin)));
  if (!spec.bundledWith) {
    if (!spec.version) throw new EnvironmentError(`${PINS_FILE}: tools.${name} has neither a version nor bundledWith\nfix: give it an exact version`);
    return withVersion(spec, spec.version);
  }
  const version = (await readBundledTools())[name as keyof BundledTools];
  if (!version)
    throw new EnvironmentError(
      `${PINS_FILE}: tools.${name}.bundledWith is argocd, but Argo CD bundles only helm and kustomize\nfix: give tools.${name} an exact version`,
    );
  checkModuleMajor(name, spec.module, version);
  return withVersion(spec, version);
}

/** A Go module path ending in /vN builds only vN.x.y: the pins disagree when the release bundles another major. */
export function checkModuleMajor(name: ToolName, module: string, version: string): void {
  const suffix = /\/v(\d+)$/.exec(module)?.[1] ?? '1';
  const major = /^v(\d+)/.exec(version)?.[1];
  if (major === suffix || (suffix === '1' && (major === '0' || major === '1'))) return;
  const { argocd } = readToolPins();
  throw new EnvironmentError(
    `${PINS_FILE}: Argo CD ${argocd.version} bundles ${name} ${version}, but tools.${name} builds ${module} (major v${suffix})\nfix: set tools.${name}.module and .package to the v${major} module path (and its ldflags), or pin the Argo CD release whose ${name} is v${suffix}`,
  );
}

/** Every tool's resolved pin. */
export async function resolveToolPins(names: ToolName[] = ALL_TOOLS): Promise<Record<ToolName, ToolPin>> {
  const pins = {} as Record<ToolName, ToolPin>;
  for (const name of names) pins[name] = await resolveToolPin(name);
  return pins;
}

/** Checks that Go is there and new enough to build the pins; exit 2 with what to install otherwise. */
export async function checkGo(): Promise<string> {
  const minimum = readToolPins().go.minimum;
  const result = await run('go', ['env', 'GOVERSION']).catch((err) => {
    throw new EnvironmentError(
      `Go is not installed; the pinned tools are built with it. Install Go ${minimum} or newer (https://go.dev/doc/install) and put it on PATH`,
      { cause: err },
    );
  });
  const version = /go(\d+\.\d+(?:\.\d+)?)/.exec(result.stdout)?.[1];
  if (!version || compareVersions(version, minimum) < 0) {
    throw new EnvironmentError(
      `Go ${version ?? '(unknown)'} is too old: the pinned tools need Go ${minimum} or newer. Install a newer Go and run \`npm run tools\` again`,
    );
  }
  return version;
}

/** Whether the binary at `path` was built from the pinned module version, with the pinned tags (its Go build info). */
export async function isPinnedBuild(path: string, pin: ToolPin): Promise<boolean> {
  const stamp = verifiedStamp(path, pin);
  if (!stamp) return false;
  // `go version -m` takes a process per tool on every run: its answer holds while the file is the same inode, unchanged.
  if (readIfPresent(`${path}.verified`) === stamp) return true;
  const info = await run('go', ['version', '-m', path]).catch(() => undefined);
  if (info?.exitCode !== 0) return false; // no Go to ask: checkGo explains what to install
  // `mod` when go install built the module itself, `dep` when a wrapper module required it.
  const built = (pin.embedded ?? [pin]).every((m) =>
    new RegExp(`^\\s*(mod|dep)\\s+${escapeRegExp(m.module)}\\s+${escapeRegExp(m.version)}\\s`, 'm').test(info.stdout),
  );
  const tags = /^\s*build\s+-tags=(\S*)/m.exec(info.stdout)?.[1] ?? '';
  const pinned = built && tags === (pin.tags ?? '') && builtWithPinnedGo(info.stdout);
  if (pinned) writeCacheFile(`${path}.verified`, stamp);
  return pinned;
}

const readIfPresent = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** The binary's identity (inode, size, change times: any rewrite or replacement changes one) with the pin it must match; undefined when there is no binary. */
function verifiedStamp(path: string, pin: ToolPin): string | undefined {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats?.isFile()) return undefined;
  const modules = (pin.embedded ?? [pin]).map((m) => `${m.module}@${m.version}`);
  return JSON.stringify({
    modules,
    tags: pin.tags ?? '',
    go: readToolPins().go.toolchain,
    file: [stats.dev, stats.ino, stats.size, stats.mtimeMs, stats.ctimeMs],
  });
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export type Progress = (line: string) => void;

/** Installs one pinned tool unless the right build is already cached; returns its path. */
export async function ensureTool(name: ToolName, progress: Progress = () => {}): Promise<string> {
  return ensurePinnedBuild(name, await resolveToolPin(name), progress, 'helm and promtool take minutes');
}

/** Builds `name` from its pin (go install, or go build in its wrapper module) unless the cache has that build. */
export async function ensurePinnedBuild(name: string, pin: ToolPin, progress: Progress, estimate: string): Promise<string> {
  const path = toolPath(name, pin);
  if (await isPinnedBuild(path, pin)) return path;
  await checkGo();
  checkWrapperRequires(name, pin);
  const staging = `${path}.partial-${process.pid}`;
  const build = buildCommand(name, pin, staging);
  progress(`installing ${name} ${pin.version}: ${build.describe} (first time only; ${estimate})`);
  const helpers = (pin.helpers ?? []).map((pkg): [string, string] => [binaryName(pkg), join(dirname(path), binaryName(pkg))]);
  const seconds = await goBuildInto(build, staging, [[pin.helpers ? binaryName(pin.package) : name, path], ...helpers], progress);
  progress(`installed ${name} ${pin.version} in ${seconds}s → ${path}`);
  return path;
}

/** A wrapper module must require exactly the pinned version (of each tool it embeds), or the build could never match the pin. */
export function checkWrapperRequires(name: string, pin: ToolPin, goMod = pin.wrapper ? readGoMod(pin.wrapper) : ''): void {
  if (!pin.wrapper) return;
  for (const m of pin.embedded ?? [pin]) {
    const required = new RegExp(`^\\s*(?:require\\s+)?${escapeRegExp(m.module)}\\s+(v\\S+)`, 'm').exec(goMod)?.[1];
    if (m !== pin && m.wrapper) checkSameReplaces(pin.wrapper, goMod, m.wrapper, readGoMod(m.wrapper));
    if (required === m.version) continue;
    throw new EnvironmentError(
      `${pin.wrapper}/go.mod requires ${m.module} ${required ?? '(nothing)'}, but ${name} is pinned to ${m.version}${m.bundledWith ? ` (the version Argo CD ${readToolPins().argocd.version} bundles)` : ''}\nfix: in ${pin.wrapper} run \`go get ${m.module}@${m.version} && go mod tidy\` (with GOTOOLCHAIN=${readToolPins().go.toolchain}), as its go.mod header says`,
    );
  }
}

const readGoMod = (wrapper: string) => readFileSync(new URL(`../../${wrapper}/go.mod`, import.meta.url), 'utf8');

/** A wrapper that embeds a tool built in a wrapper of its own replaces what that one replaces, or the two builds differ. */
export function checkSameReplaces(wrapper: string, goMod: string, toolWrapper: string, toolGoMod: string): void {
  const missing = toolGoMod.match(/^replace .*$/gm)?.filter((line) => !goMod.split('\n').includes(line)) ?? [];
  if (missing.length)
    throw new EnvironmentError(
      `${wrapper}/go.mod lacks ${toolWrapper}/go.mod's ${missing.join('; ')}\nfix: copy the replace directives of ${toolWrapper}/go.mod`,
    );
}

/** The flags and environment every pinned build shares: trimmed paths, the pin's tags and ldflags, no cgo (goBuildInto adds the toolchain). */
export function pinnedBuildSettings(pin: ToolPin): { flags: string[]; env: Record<string, string>; via: string; fix: string } {
  return {
    flags: ['-trimpath', ...(pin.tags ? [`-tags=${pin.tags}`] : []), ...(pin.ldflags ? [`-ldflags=${pin.ldflags}`] : [])],
    env: { GOFLAGS: '-buildvcs=false', CGO_ENABLED: '0' },
    via: ` with ${readToolPins().go.toolchain}`,
    fix: `check that the Go module proxy is reachable (GOPROXY) and that Go is ${readToolPins().go.minimum}+`,
  };
}

/** `go install pkg@version`, or `go build` inside the tool's wrapper module; the toolchain set for this build only. */
function buildCommand(name: string, pin: ToolPin, outDir: string): GoBuild {
  const { flags, env, via, fix } = pinnedBuildSettings(pin);
  if (!pin.wrapper)
    return {
      args: ['install', ...flags, `${pin.package}@${pin.version}`],
      env: { ...env, GOBIN: outDir },
      describe: `go install ${pin.package}@${pin.version}${via}`,
      fix,
    };
  const cwd = new URL(`../../${pin.wrapper}/`, import.meta.url).pathname;
  return {
    // Several main packages build into a folder, each binary named after its package.
    args: ['build', ...flags, '-o', pin.helpers ? `${outDir}/` : join(outDir, name), pin.package, ...(pin.helpers ?? [])],
    cwd,
    env: { ...env, GOWORK: 'off', GOFLAGS: '-mod=readonly -buildvcs=false' },
    describe: `go build ${pin.package} in ${pin.wrapper} (${pin.module} ${pin.version}${pin.tags ? `, tags ${pin.tags}` : ''})${via}`,
    fix,
  };
}

/** Installs every pinned tool (or the named ones), one at a time: go builds use both cores already. */
export async function ensureTools(names: ToolName[], progress: Progress = () => {}): Promise<Record<ToolName, string>> {
  const paths = {} as Record<ToolName, string>;
  for (const name of names) paths[name] = await ensureTool(name, progress);
  return paths;
}

export const ALL_TOOLS = Object.keys(readToolPins().tools) as ToolName[];
