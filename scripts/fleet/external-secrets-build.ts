import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { cacheDir } from '../lib/cache.ts';
import { run } from '../lib/exec.ts';
import { copyTree, downloadGoModule } from '../lib/go-module.ts';
import { workTemp } from '../lib/work-dir.ts';
import { goBuildInto, type GoBuild } from '../tools/go-build.ts';
import { checkGo, type Progress } from '../tools/install.ts';
import { builtWithPinnedGo, PINS_FILE, readToolPins, type OverlayBuildPin } from '../tools/pins.ts';

const BINARY = 'external-secrets';
// Measured cold (empty GOCACHE, warm module cache; docs/toolchain.md): about 7 CPU-minutes.
const ESTIMATE = 'about 4 minutes on 2 idle cores, up to 12 on busy ones, 0.9 GB of memory';

/**
 * The External Secrets controller of `fleet.externalSecrets` (its core reconcilers, the fake provider only),
 * built once into the toolkit's cache from a copy of the module with the overlay written over it; returns its path.
 */
export async function ensureExternalSecretsController(progress: Progress = () => {}): Promise<string> {
  const pin = readToolPins().fleet.externalSecrets;
  const overlay = new URL(`../../${pin.overlay}/`, import.meta.url).pathname;
  // The overlay's files are not in the binary's build info (the copy is the main module, `(devel)`): they key the folder.
  const path = cacheDir('fleet', `external-secrets-${pin.version}-${treeHash(overlay)}`, BINARY);
  if (await isOverlayBuild(path, pin)) return path;
  await checkGo();
  const staging = `${dirname(path)}.partial-${process.pid}`;
  // In this process's work folder: removed at exit, or by a later run after a SIGKILL.
  const source = join(workTemp('external-secrets-source-'), 'module');
  try {
    const from = await downloadGoModule(
      pin.module,
      pin.version,
      {
        what: 'the source of the External Secrets controller',
        fix: `check fleet.externalSecrets in ${PINS_FILE} and that the Go module proxy is reachable (GOPROXY)`,
      },
      readToolPins().go.toolchain,
    );
    copyTree(from, source);
    copyTree(overlay, source);
    progress(
      `building the External Secrets controller ${pin.version} (core reconcilers, fake provider) in a copy of its module with ${pin.overlay} (first time only: ${ESTIMATE})`,
    );
    const seconds = await goBuildInto(overlayBuild(pin, source, staging), staging, [[BINARY, path]], progress);
    progress(`built the External Secrets controller ${pin.version} in ${seconds}s → ${path}`);
  } finally {
    rmSync(dirname(source), { recursive: true, force: true });
  }
  return path;
}

/** `go build` of the overlay's main package inside the copy: the module's own go.mod and go.sum decide every dependency. */
function overlayBuild(pin: OverlayBuildPin, source: string, outDir: string): GoBuild {
  return {
    describe: `go build ./${pin.package} in a copy of ${pin.module}@${pin.version} with ${pin.overlay}`,
    args: ['build', '-trimpath', '-ldflags=-s -w', '-o', join(outDir, BINARY), `./${pin.package}`],
    cwd: source,
    env: { CGO_ENABLED: '0', GOWORK: 'off', GOFLAGS: '-mod=readonly -buildvcs=false' },
    fix: `check that the Go module proxy is reachable (GOPROXY) and that the files of ${pin.overlay} still fit ${pin.module}@${pin.version}`,
  };
}

/** Whether `path` is a finished build of the overlay's main package (a copy build names its module `(devel)`). */
async function isOverlayBuild(path: string, pin: OverlayBuildPin): Promise<boolean> {
  if (!existsSync(path)) return false;
  const info = await run('go', ['version', '-m', path]).catch(() => undefined);
  if (info?.exitCode !== 0 || !builtWithPinnedGo(info.stdout)) return false;
  const lines = info.stdout.split('\n').map((line) => line.trim().split(/\s+/).join(' '));
  return lines.includes(`path ${pin.module}/${pin.package}`) && lines.includes(`mod ${pin.module} (devel)`);
}

/** A hash of every file under `dir` (relative path and content). */
export function treeHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const file = join(at, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.isFile())
        hash
          .update(`${relative(dir, file)}\0`)
          .update(readFileSync(file))
          .update('\0');
    }
  };
  walk(dir);
  return hash.digest('hex').slice(0, 12);
}
