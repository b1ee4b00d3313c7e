/** Synchronous cleanups that run however the toolkit ends: normal exit, or SIGINT/SIGTERM/SIGHUP. */
const exitCleanups = new Set<() => void>();
let hooked = false;
let received: NodeJS.Signals | undefined;

/**
 * Runs `cleanup` (synchronous) when this process exits or gets SIGINT/SIGTERM/SIGHUP; returns the
 * function that unregisters it. After cleaning up on a signal, the signal's default action still happens
 * unless the program handles that signal itself. (Not signal-exit: it runs its callbacks on a signal only
 * when no other listener takes it, and under tsx one does; with it a Ctrl-C left the e2e's folders behind.)
 */
export function onProcessExit(cleanup: () => void): () => void {
  exitCleanups.add(cleanup);
  if (!hooked) {
    hooked = true;
    process.on('exit', runExitCleanups);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  }
  return () => exitCleanups.delete(cleanup);
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
  runExitCleanups();
  if (process.listenerCount(signal) > 1) return;
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, onSignal);
  process.kill(process.pid, signal);
}

/**
 * When a signal already ran the cleanups, work that then fails because its processes are gone must not end
 * as an ordinary error (exit 1): this ends the process by that signal, as the user's Ctrl-C asked.
 */
export function endIfInterrupted(): void {
  if (!received) return;
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(s);
  process.kill(process.pid, received);
}
