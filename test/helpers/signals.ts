import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cacheDir } from '../../scripts/lib/cache.ts';
import { PROJECT_ROOT, tempRepo } from './repo.ts';

/**
 * A toolkit cache of one run's own: the real cache's tool builds and schema catalogs linked in, nothing else,
 * so that every leaf renders afresh and whatever the run leaves (work folders, results, renders) is its own.
 */
export async function isolatedCache(): Promise<string> {
  const dir = await tempRepo();
  for (const part of ['tools', 'catalog', 'kube']) {
    mkdirSync(cacheDir(part), { recursive: true });
    symlinkSync(cacheDir(part), join(dir, part));
  }
  return dir;
}

/** How a command is started: node alone (as the tests run commands), through npm (as people do), or under `timeout`. */
export type Launcher = 'node' | 'npm' | 'timeout';

/** Starts `npm run <command> -- args` (or its node or `timeout 600 npm run …` equivalent) with MONITORING_GITOPS_CACHE=cache. */
export function startCommand(launcher: Launcher, command: string, args: string[], cache: string): ChildProcess {
  const node = [process.execPath, '--import', 'tsx', join(PROJECT_ROOT, 'scripts/cli', `${command}.ts`), ...args];
  const npm = ['npm', 'run', '--silent', command, '--', ...args];
  const argv = launcher === 'node' ? node : launcher === 'npm' ? npm : ['timeout', '600', ...npm];
  // npm and timeout in a process group of their own, as a terminal's foreground job is.
  return spawn(argv[0]!, argv.slice(1), {
    cwd: PROJECT_ROOT,
    detached: launcher !== 'node',
    env: { ...process.env, NODE_OPTIONS: '', MONITORING_GITOPS_CACHE: cache },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Processes whose command line names one of `dirs` (a run's kustomize and helm name its cache), as `pid: command`. */
export function processesNaming(...dirs: string[]): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmdline = '';
    try {
      cmdline = readFileSync(join('/proc', pid, 'cmdline'), 'utf8').replaceAll('\0', ' ');
    } catch {
      continue;
    }
    if (dirs.some((d) => cmdline.includes(d))) found.push(`${pid}: ${cmdline.slice(0, 200)}`);
  }
  return found;
}

export interface Interruption {
  /** The signal that ended the started process, or its exit code. */
  exit: NodeJS.Signals | number | null;
  /** From sending the signal to the started process's exit. */
  ms: number;
  /** The run's processes still there 2 s after the signal. */
  survivors: string[];
  output: string;
}

/**
 * Waits until `ready` holds (polled; never a fixed sleep), sends the signal with `send`, then measures how
 * long the started process takes to exit and which of the run's processes (those naming `cache`) are still
 * there 2 s after the signal. Fails when the process ends before it was ready.
 */
export async function interrupt(child: ChildProcess, cache: string, ready: () => boolean, send: () => void): Promise<Interruption> {
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const started = Date.now();
  while (!ready()) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the command ended before it was ready:\n${output}`);
    if (Date.now() - started > 240_000) throw new Error(`not ready after 240 s:\n${output}`);
    await sleep(10);
  }
  const sent = Date.now();
  send();
  const exit = await exited;
  const ms = Date.now() - sent;
  // The deadline the signal sets, not a guess at when the run is ready: whatever still runs then was not stopped.
  await sleep(Math.max(0, sent + 2000 - Date.now()));
  return { exit, ms, survivors: processesNaming(cache), output };
}

/** Every file and folder under `dir` that is not a link to the real cache, relative to it. */
export function cacheContents(dir: string, under = ''): string[] {
  const path = join(dir, under);
  if (!existsSync(path)) return [];
  return readdirSync(path, { withFileTypes: true }).flatMap((e) => {
    const rel = relative(dir, join(path, e.name));
    if (e.isSymbolicLink()) return [];
    return e.isDirectory() ? [`${rel}/`, ...cacheContents(dir, rel)] : [rel];
  });
}
