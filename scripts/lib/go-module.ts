import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError } from './errors.ts';
import { run, tail } from './exec.ts';

/** What `go mod download -json` prints for one module. */
interface ModuleDownload {
  Dir?: string;
  Error?: string;
}

/** Why a module is downloaded (`the OpenAPI document of Kubernetes 1.34.2`) and what to do when it cannot be. */
interface DownloadPurpose {
  what: string;
  fix: string;
}

/**
 * Downloads one Go module (for the documents it ships, not to build it) and returns its read-only
 * folder in the module cache, with the Go `toolchain` (GOTOOLCHAIN) the toolkit pins.
 */
export async function downloadGoModule(module: string, version: string, { what, fix }: DownloadPurpose, toolchain: string): Promise<string> {
  const spec = `${module}@${version} (${what})`;
  // Outside any Go module, so that a go.mod (or vendor folder) of the current directory plays no part.
  const result = await run('go', ['mod', 'download', '-json', `${module}@${version}`], {
    cwd: tmpdir(),
    env: { GOTOOLCHAIN: toolchain },
  }).catch((err: unknown) => {
    throw new EnvironmentError(
      `cannot download ${spec}: Go is not installed or not on PATH (${(err as Error).message})\nfix: install Go (https://go.dev/doc/install); it fetches the module from the Go module proxy`,
      { cause: err },
    );
  });
  const info = parseDownload(result.stdout);
  if (result.exitCode === 0 && info.Dir && !info.Error) return info.Dir;
  const why = (info.Error ?? (tail(result.stderr, 4) || `go mod download exited with ${result.exitCode}`)).replace(/\s*\n\s*/g, ' ');
  throw new EnvironmentError(`cannot download ${spec}: ${why}\nfix: ${fix}`);
}

function parseDownload(stdout: string): ModuleDownload {
  try {
    return JSON.parse(stdout) as ModuleDownload;
  } catch {
    return {};
  }
}

/**
 * Copies a folder tree (a module from the read-only module cache, or files to lay over such a copy):
 * folders are created anew, so writable; a file already at the target is replaced; files keep their mode.
 */
export function copyTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) copyTree(join(from, entry.name), join(to, entry.name));
    else if (entry.isFile()) {
      rmSync(join(to, entry.name), { force: true });
      copyFileSync(join(from, entry.name), join(to, entry.name));
    }
  }
}
