import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvironmentError } from '../lib/errors.ts';
import { tail } from '../lib/exec.ts';

/** A server process in its own process group (pgid = pid), its output in a log file. */
export interface Daemon {
  name: string;
  pid: number;
  logFile: string;
  /** Set once the process has exited (its exit code, or the signal that ended it). */
  exit?: string;
}

/**
 * Starts `file` detached in a new process group, so that a terminal's Ctrl-C does not reach it half-way
 * and stopping it stops anything it started. It never keeps this Node process alive.
 */
export function spawnDaemon(name: string, file: string, args: string[], logFile: string, env?: Record<string, string>): Daemon {
  const log = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(file, args, { detached: true, stdio: ['ignore', log, log], ...(env ? { env: { ...process.env, ...env } } : {}) });
  } finally {
    closeSync(log);
  }
  if (child.pid === undefined) throw new EnvironmentError(`cannot start ${name} (${file})`);
  const daemon: Daemon = { name, pid: child.pid, logFile };
  child.on('error', (err) => (daemon.exit ??= err.message));
  child.on('exit', (code, signal) => (daemon.exit = signal ? `killed by ${signal}` : `exit code ${code}`));
  child.unref();
  return daemon;
}

/** Whether any process of group `pgid` is still there. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM to each group, SIGKILL to any still there after `graceMs`; resolves once all are gone. */
export async function stopGroups(pgids: number[], graceMs = 5000): Promise<void> {
  for (const pgid of pgids) signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pgids.some(groupAlive) && Date.now() < deadline) await sleep(50);
  for (const pgid of pgids.filter(groupAlive)) signalGroup(pgid, 'SIGKILL');
  while (pgids.some(groupAlive)) await sleep(20);
}

/** SIGKILL, synchronously: for exit and signal handlers, which cannot wait. */
export function killGroupsNow(pgids: number[]): void {
  for (const pgid of pgids) signalGroup(pgid, 'SIGKILL');
}

/** The last `lines` lines of a log file ('' when there is none). */
export function logTail(path: string, lines = 15): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return '';
  }
  return tail(text, lines);
}

// A shell that reads process group ids from its stdin; at end of input (this Node process exited, even by
// SIGKILL, which no handler sees) it stops those groups and removes the folder given as $1.
// (dash's kill takes negative pids right after the signal name, not after `--` or `-s SIG`.)
const WATCHDOG =
  'pgs=""; while read pg; do pgs="$pgs -$pg"; done; [ -n "$pgs" ] && kill -TERM $pgs 2>/dev/null; sleep 2; [ -n "$pgs" ] && kill -KILL $pgs 2>/dev/null; [ -n "$1" ] && rm -rf -- "$1"; exit 0';

/** Stops the groups it is told about (and removes `dir`) once this Node process is gone, however it ends. */
interface Watchdog {
  watch(pgid: number): void;
  /** Ends the watchdog without it doing anything (the caller has cleaned up). */
  dismiss(): void;
}

export function startWatchdog(dir = ''): Watchdog {
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'watchdog', dir], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  child.unref();
  const stdin = child.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
  stdin?.unref?.();
  stdin?.on('error', () => {});
  return {
    watch: (pgid) => void stdin?.write(`${pgid}\n`),
    dismiss: () => {
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    },
  };
}
