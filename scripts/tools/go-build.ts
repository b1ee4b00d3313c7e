import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EnvironmentError } from '../lib/errors.ts';
import { shell } from '../lib/exec.ts';
import { withHeartbeat } from '../lib/heartbeat.ts';
import { goToolchainEnv } from './pins.ts';

/** One `go build` or `go install` of pinned code. */
export interface GoBuild {
  /** `go install helm.sh/helm/v4/cmd/helm@v4.3.1`: what the progress lines and errors call it. */
  describe: string;
  args: string[];
  cwd?: string;
  env: Record<string, string>;
  /** What to check when it fails. */
  fix: string;
}

/**
 * Builds with the pinned Go toolchain into a fresh staging folder, then moves each output (name in staging → final path) into place:
 * an interrupted or failed build never leaves a half-written binary where a finished one is expected.
 * Returns the seconds it took.
 */
export async function goBuildInto(build: GoBuild, staging: string, outputs: [string, string][], progress: (line: string) => void): Promise<number> {
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const started = Date.now();
  const $go = shell({ cwd: build.cwd, env: { ...build.env, ...goToolchainEnv() }, timeoutMs: 3_600_000, failureLines: 12 });
  try {
    await withHeartbeat(progress, `still building: ${build.describe}`, () => $go`go ${build.args}`);
    for (const [name, target] of outputs) {
      mkdirSync(dirname(target), { recursive: true });
      renameSync(join(staging, name), target);
    }
  } catch (err) {
    throw err instanceof EnvironmentError ? new EnvironmentError(`${err.message}\nfix: ${build.fix}`, { cause: err }) : err;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return Math.round((Date.now() - started) / 1000);
}
