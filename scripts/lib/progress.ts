/**
 * Progress of a counted batch (leaves rendered, checks run): on a terminal one line rewritten in place;
 * elsewhere (CI logs, tests) a line at the start, every `everyMs` and at the end, each with the count and
 * the seconds since the start.
 */
export interface Counter {
  /** One more item done; `note` (e.g. "cached") is counted per kind in the lines. */
  tick(note?: string): void;
  /** The closing line: `<label> n/n in s s (k cached)`. */
  done(): void;
}

interface CounterOptions {
  /** Draw on this terminal instead of printing lines (default: stderr when it is a TTY outside CI). */
  tty?: NodeJS.WriteStream | false;
  everyMs?: number;
  now?: () => number;
}

export function counter(label: string, total: number, progress: (line: string) => void, options: CounterOptions = {}): Counter {
  const tty = options.tty ?? (process.stderr.isTTY && !process.env.CI ? process.stderr : false);
  const now = options.now ?? Date.now;
  const started = now();
  const notes = new Map<string, number>();
  let count = 0;
  let lastLine = started;
  const line = (verb = '') => {
    const extra = [...notes].map(([note, n]) => `${n} ${note}`).join(', ');
    return `${label} ${count}/${total}${verb} ${((now() - started) / 1000).toFixed(1)} s${extra ? ` (${extra})` : ''}`;
  };
  if (!tty) progress(line());
  return {
    tick(note) {
      count++;
      if (note) notes.set(note, (notes.get(note) ?? 0) + 1);
      if (tty) tty.write(`\r\x1b[K${line()}`);
      else if (now() - lastLine >= (options.everyMs ?? 10_000)) {
        lastLine = now();
        progress(line());
      }
    },
    done() {
      if (tty) tty.write('\r\x1b[K');
      progress(line(' in'));
    },
  };
}
