import assert from 'node:assert/strict';
import { test } from 'node:test';
import { counter } from '../../scripts/lib/progress.ts';

test('without a terminal: a line at the start, one per interval with count and seconds, and the closing line', () => {
  let clock = 0;
  const lines: string[] = [];
  const c = counter('rendered', 3, (l) => lines.push(l), { tty: false, everyMs: 10_000, now: () => clock });
  clock = 4_000;
  c.tick('cached');
  clock = 12_000;
  c.tick();
  clock = 13_500;
  c.tick('cached');
  c.done();
  assert.deepEqual(lines, ['rendered 0/3 0.0 s', 'rendered 2/3 12.0 s (1 cached)', 'rendered 3/3 in 13.5 s (2 cached)']);
});

test('on a terminal: one line redrawn in place, cleared before the closing line', () => {
  const drawn: string[] = [];
  const lines: string[] = [];
  const tty = { write: (s: string) => drawn.push(s) } as unknown as NodeJS.WriteStream;
  const c = counter('checks', 2, (l) => lines.push(l), { tty, now: () => 0 });
  c.tick();
  c.tick();
  c.done();
  assert.deepEqual(drawn, ['\r\x1b[Kchecks 1/2 0.0 s', '\r\x1b[Kchecks 2/2 0.0 s', '\r\x1b[K']);
  assert.deepEqual(lines, ['checks 2/2 in 0.0 s']);
});
