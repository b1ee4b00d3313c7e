/**
 * Runs `work`, printing `label (N s)` every `everyMs` while it runs: a build of several minutes must show
 * that it is alive (CI logs and terminals otherwise sit silent and look hung).
 */
export async function withHeartbeat<T>(progress: (line: string) => void, label: string, work: () => Promise<T>, everyMs = 30_000): Promise<T> {
  const started = Date.now();
  const timer = setInterval(() => progress(`${label} (${Math.round((Date.now() - started) / 1000)} s)`), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
