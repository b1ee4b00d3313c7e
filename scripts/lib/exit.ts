import { constants } from 'node:os';

/**
 * The toolkit's one signal path. On SIGINT, SIGTERM or SIGHUP the process runs its exit cleanups (they stop
 * its children's process groups and remove its work folders), then ends by that signal (status 128+n), at
 * once and whatever other listeners exist (execa's signal-exit and tsx step aside when they see ours).
 * Code that must finish a step first (generate undoing its writes) takes the signals for that time.
 */
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const exitCleanups = new Set<() => void>();
const takers = new Set<(signal: NodeJS.Signals) => void>();
let hooked = false;
let received: NodeJS.Signals | undefined;

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', runExitCleanups);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

/**
 * Runs `cleanup` (synchronous) when this process exits or gets SIGINT/SIGTERM/SIGHUP; returns the
 * function that unregisters it.
 */
export function onProcessExit(cleanup: () => void): () => void {
  hook();
  exitCleanups.add(cleanup);
  return () => exitCleanups.delete(cleanup);
}

/**
 * Hands SIGINT/SIGTERM/SIGHUP to `taker` instead of ending the process, until the returned function is
 * called: the taker stops its work at a safe point and ends the run itself. A taker that then waits long
 * (cluster-up stopping its fleet) releases first, so that a second signal ends the process.
 */
export function takeSignals(taker: (signal: NodeJS.Signals) => void): () => void {
  hook();
  takers.add(taker);
  return () => takers.delete(taker);
}

function runExitCleanups(): void {
  for (const cleanup of [...exitCleanups]) {
    exitCleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // best effort: the process is going away
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  received ??= signal;
  if (takers.size) {
    for (const taker of [...takers]) taker(signal);
    return;
  }
  endBySignal(received);
}

/** Cleans up synchronously, then ends the process by `signal` (nothing else runs in between). */
function endBySignal(signal: NodeJS.Signals): never {
  runExitCleanups();
  for (const s of SIGNALS) process.removeAllListeners(s);
  process.kill(process.pid, signal);
  // Not reached when the signal's default action ends the process, as it does; a shell's status otherwise.
  process.exit(128 + constants.signals[signal]);
}

/** The signal this run received, if any. */
export function interruptedBy(): NodeJS.Signals | undefined {
  return received;
}

/**
 * After a taker stopped its work on a signal: ends the process by that signal, as the user asked, rather
 * than as the ordinary failure the stopped work reports.
 */
export function endIfInterrupted(): void {
  if (received) endBySignal(received);
}
