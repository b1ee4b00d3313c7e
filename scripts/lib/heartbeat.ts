import { spinner } from 'zx';

/**
 * Runs `work` so that a wait of minutes shows it is alive: zx's spinner on a terminal, and in CI logs
 * (no TTY) a plain `label (N s)` line every `everyMs`.
 */
export async function withHeartbeat<T>(progress: (line: string) => void, label: string, work: () => Promise<T>, everyMs = 30_000): Promise<T> {
  if (process.stderr.isTTY && !process.env.CI) return spinner(label, work);
  const started = Date.now();
  const timer = setInterval(() => progress(`${label} (${Math.round((Date.now() - started) / 1000)} s)`), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
