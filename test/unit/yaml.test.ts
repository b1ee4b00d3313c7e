import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseYamlSource, positionOf, toYaml } from '../../scripts/lib/yaml.ts';

test('toYaml puts apiVersion, kind, metadata first and sorts the other keys', () => {
  const out = toYaml({ spec: { b: 1, a: 2 }, metadata: { labels: { z: '1', a: '2' }, name: 'x' }, kind: 'K', apiVersion: 'v1', data: {} });
  assert.equal(out, 'apiVersion: v1\nkind: K\nmetadata:\n  name: x\n  labels:\n    a: "2"\n    z: "1"\nspec:\n  a: 2\n  b: 1\ndata: {}\n');
});

test('toYaml keeps list order, never emits anchors and ends with a newline', () => {
  const shared = { x: 1 };
  const out = toYaml({ list: ['b', 'a'], one: shared, two: shared });
  assert.equal(out, 'list:\n  - b\n  - a\none:\n  x: 1\ntwo:\n  x: 1\n');
});

test('toYaml writes multi-line strings as literal blocks and does not fold long lines', () => {
  const long = 'x'.repeat(200);
  assert.equal(toYaml({ a: 'one\ntwo\n', b: long }), `a: |\n  one\n  two\nb: ${long}\n`);
});

test('positionOf finds values, keys and falls back to the nearest parent', () => {
  const { source } = parseYamlSource('f.yaml', 'a:\n  b:\n    - x\n    - y\n  c: 1\n');
  assert.deepEqual(positionOf(source, ['a', 'b', 1]), { line: 4, column: 7 });
  assert.deepEqual(positionOf(source, ['a', 'c'], true), { line: 5, column: 3 });
  assert.deepEqual(positionOf(source, ['a', 'missing']), { line: 2, column: 3 });
});

test('syntax errors, duplicate keys and several documents are problems with positions', () => {
  assert.match(parseYamlSource('f.yaml', 'a: [1, 2\n').problems[0]!.message, /invalid YAML/);
  const dup = parseYamlSource('f.yaml', 'a: 1\nb: 2\na: 3\n').problems;
  assert.deepEqual(
    dup.map((p) => [p.line, p.message.startsWith('duplicate key')]),
    [[3, true]],
  );
  assert.match(parseYamlSource('f.yaml', 'a: 1\n---\nb: 2\n').problems[0]!.message, /several YAML documents/);
});
