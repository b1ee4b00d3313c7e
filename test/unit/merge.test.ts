import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeValues } from '../../scripts/lib/merge.ts';

test('maps merge deeply, later layers win', () => {
  const merged = mergeValues(
    { server: { retention: '15d', global: { scrape_interval: '1m', scrape_timeout: '10s' } } },
    { server: { global: { scrape_interval: '30s' } } },
  );
  assert.deepEqual(merged, { server: { retention: '15d', global: { scrape_interval: '30s', scrape_timeout: '10s' } } });
});

test('lists are replaced, not appended', () => {
  assert.deepEqual(mergeValues({ extraFlags: ['a', 'b'] }, { extraFlags: ['c'] }), { extraFlags: ['c'] });
});

test('null is kept so that Helm deletes the chart default too', () => {
  assert.deepEqual(mergeValues({ a: { b: 1 }, c: 2 }, { a: null }), { a: null, c: 2 });
  assert.deepEqual(mergeValues({ a: null }, { a: { b: 1 } }), { a: { b: 1 } });
});

test('a scalar replaces a map and a map replaces a scalar', () => {
  assert.deepEqual(mergeValues({ a: { b: 1 } }, { a: 'x' }), { a: 'x' });
  assert.deepEqual(mergeValues({ a: 'x' }, { a: { b: 1 } }), { a: { b: 1 } });
});

test('inputs are not mutated and results share no objects with them', () => {
  const lower = { a: { b: [1] } };
  const upper = { a: { c: { d: 1 } } };
  const merged = mergeValues(lower, upper) as { a: { b: number[]; c: { d: number } } };
  merged.a.b.push(2);
  merged.a.c.d = 5;
  assert.deepEqual(lower, { a: { b: [1] } });
  assert.deepEqual(upper, { a: { c: { d: 1 } } });
});
