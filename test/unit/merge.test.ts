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

test("inputs are not mutated: maps both layers have are new, a subtree only one layer has is that layer's own (read-only)", () => {
  const lower = { a: { b: [1] }, shared: { rules: [{ alert: 'X' }] } };
  const upper = { a: { c: { d: 1 } } };
  const merged = mergeValues(lower, upper) as { a: { b: number[]; c: { d: number } }; shared: unknown };
  assert.deepEqual(merged, { a: { b: [1], c: { d: 1 } }, shared: { rules: [{ alert: 'X' }] } });
  assert.notEqual(merged.a, lower.a);
  assert.equal(merged.a.b, lower.a.b);
  assert.equal(merged.shared, lower.shared);
  assert.deepEqual(lower, { a: { b: [1] }, shared: { rules: [{ alert: 'X' }] } });
  assert.deepEqual(upper, { a: { c: { d: 1 } } });
});
