import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shortenDescription } from '../../scripts/lib/github.ts';

test('a commit status description of up to 140 characters is kept as it is', () => {
  for (const text of ['', 'promotion checked', 'x'.repeat(140), '🚀'.repeat(140)]) assert.equal(shortenDescription(text), text);
});

test('a longer one is cut to 140 characters ending with an ellipsis, never inside a surrogate pair', () => {
  assert.equal(shortenDescription('x'.repeat(141)), `${'x'.repeat(139)}…`);
  const rockets = shortenDescription('🚀'.repeat(200));
  assert.equal(rockets, `${'🚀'.repeat(139)}…`);
  assert.equal([...rockets].length, 140);
});

test('blanks before the ellipsis are dropped; the limit can be given', () => {
  assert.equal(shortenDescription('word '.repeat(40), 21), 'word word word word…');
});
