import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { copyTree, downloadGoModule } from '../lib/go-module.ts';
import { run } from '../lib/exec.ts';
import { workTemp } from '../lib/work-dir.ts';
import { goBuildInto, type GoBuild } from './go-build.ts';
import { checkGo, ensurePinnedBuild, pinnedBuildSettings, toolPath, type Progress } from './install.ts';
import { binaryName, builtWithPinnedGo, readToolPins, resolveRuntimePin, type RuntimeName, type ToolPin } from './pins.ts';

/** Paths of the programs the prometheus chart runs, built at its appVersions (tools/pins.json `runtime`). */
export type RuntimeBinaries = Record<RuntimeName, string>;

export const RUNTIME_NAMES: RuntimeName[] = ['prometheus', 'alertmanager', 'nodeExporter'];

// Measured cold (empty GOCACHE, warm module cache) on 2 busy cores (docs/toolchain.md); shown on the first build only.
const ESTIMATES: Record<RuntimeName, string> = {
  prometheus: '6 to 9 minutes, 1.5 GB of memory',
  alertmanager: '1 to 2 minutes',
  nodeExporter: 'about a minute',
};

/** Builds (first time only) or finds in the toolkit's cache the prometheus server, alertmanager and node_exporter. */
export async function ensureRuntimeBinaries(progress: Progress = () => {}, names: RuntimeName[] = RUNTIME_NAMES): Promise<RuntimeBinaries> {
  const paths = {} as RuntimeBinaries;
  for (const name of names) paths[name] = await ensureRuntimeBinary(name, progress);
  return paths;
}

/** Where a runtime program is (or would be) in the cache: the tools' layout, one folder per version. */
export function runtimePath(name: RuntimeName, pin: ToolPin = resolveRuntimePin(name)): string {
  return toolPath(binaryName(pin.package), pin);
}

async function ensureRuntimeBinary(name: RuntimeName, progress: Progress): Promise<string> {
  const pin = resolveRuntimePin(name);
  if (!pin.embedPlaceholder) return ensurePinnedBuild(binaryName(pin.package), pin, progress, ESTIMATES[name]);
  const path = runtimePath(name, pin);
  if (await isCopyBuild(path, pin)) return path;
  await checkGo();
  const staging = `${path}.partial-${process.pid}`;
  // In this process's work folder: removed at exit, or by a later run after a SIGKILL.
  const source = join(workTemp(`${binaryName(pin.package)}-source-`), 'module');
  try {
    const build = copyBuild(pin, await prepareCopy(pin, source), staging);
    progress(`installing ${binaryName(pin.package)} ${pin.version}: ${build.describe} (first time only; ${ESTIMATES[name]})`);
    const seconds = await goBuildInto(build, staging, [[binaryName(pin.package), path]], progress);
    progress(`installed ${binaryName(pin.package)} ${pin.version} in ${seconds}s → ${path}`);
  } finally {
    rmSync(dirname(source), { recursive: true, force: true });
  }
  return path;
}

/**
 * A writable copy of the module as the proxy serves it (module cache folders are read-only), plus the
 * placeholder page at `embedPlaceholder`: the embedded folder its zip lacks.
 */
async function prepareCopy(pin: ToolPin, to: string): Promise<string> {
  const from = await downloadGoModule(
    pin.module,
    pin.version,
    { what: `the source ${binaryName(pin.package)} is built from`, fix: 'check that the Go module proxy is reachable (GOPROXY)' },
    readToolPins().go.toolchain,
  );
  copyTree(from, to);
  const page = placeholderPage(binaryName(pin.package), pin.version);
  const file = join(to, pin.embedPlaceholder!);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, file.endsWith('.gz') ? gzipSync(page) : page);
  return to;
}

/** The page served where the web UI would be. Pure. */
export function placeholderPage(program: string, version: string): string {
  return `<!doctype html>\n<title>${program} ${version}</title>\n<p>${program} ${version} built from its Go module, whose zip has no web UI build: the UI is not included. The HTTP API works.</p>\n`;
}

/** `go build` of the main package inside the prepared copy: the module's own go.mod and go.sum decide the dependencies. */
function copyBuild(pin: ToolPin, source: string, outDir: string): GoBuild {
  const { flags, env, via, fix } = pinnedBuildSettings(pin);
  const pkg = `.${pin.package.slice(pin.module.length)}`;
  return {
    args: ['build', ...flags, '-o', join(outDir, binaryName(pin.package)), pkg],
    cwd: source,
    env: { ...env, GOWORK: 'off', GOFLAGS: '-mod=readonly -buildvcs=false' },
    describe: `go build ${pin.package} in a copy of ${pin.module}@${pin.version} with a placeholder ${pin.embedPlaceholder}${via}`,
    fix,
  };
}

/**
 * Whether `path` is a finished build of the module's copy. Its build info names the main module `(devel)`
 * with no version (and -trimpath drops the ldflags): the folder, one per version, says which release it is.
 */
async function isCopyBuild(path: string, pin: ToolPin): Promise<boolean> {
  if (!existsSync(path)) return false;
  const info = await run('go', ['version', '-m', path]).catch(() => undefined);
  return (
    info?.exitCode === 0 &&
    builtWithPinnedGo(info.stdout) &&
    info.stdout.split('\n').some((line) => line.trim().split(/\s+/).join(' ') === `mod ${pin.module} (devel)`)
  );
}
