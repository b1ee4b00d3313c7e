import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import { emitYaml, sortKeysDeep, YAML_OPTIONS } from '../../scripts/lib/yaml-emit.ts';
import { PROJECT_ROOT } from '../helpers/repo.ts';

/** The yaml library's own output for the same data: the reference the fast emitter must equal. */
const reference = (value: unknown) => stringify(sortKeysDeep(value), YAML_OPTIONS);

function generatedDocuments(): unknown[] {
  const docs: unknown[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else if (e.name.endsWith('.yaml')) docs.push(...parseAllDocuments(readFileSync(abs, 'utf8')).map((d) => d.toJS()));
    }
  };
  for (const top of ['apps', 'overlays', 'test/golden']) walk(join(PROJECT_ROOT, top));
  return docs;
}

test('the fast emitter writes every generated document exactly as the yaml library does', () => {
  const docs = generatedDocuments();
  assert.ok(docs.length > 40);
  for (const doc of docs) assert.equal(emitYaml(doc), reference(doc));
});

test('with a memo, a subtree shared at several depths is written as the library writes each place', () => {
  const memo = new WeakMap();
  const rules = {
    groups: [{ name: 'g', rules: Array.from({ length: 20 }, (_, i) => ({ alert: `A${i}`, expr: `up == ${i}`, labels: { severity: 'warning' } })) }],
  };
  const docs = [{ a: rules, b: { c: rules }, d: [rules, { e: rules }] }, { top: rules }, rules];
  for (const doc of [...docs, ...docs]) assert.equal(emitYaml(doc, memo), reference(doc));
});

test('tricky scalars and shapes match the library and read back to the same data', () => {
  const tricky = [
    'true',
    'null',
    '~',
    '1.0',
    '0o7',
    '1e3',
    '',
    ' lead',
    'trail ',
    'a: b',
    '#x',
    '- x',
    '@x',
    '*x',
    '&x',
    '!x',
    '%x',
    '{x}',
    '[x]',
    'x\ty',
    'multi\nline\n',
    'no newline\nat end',
    'kept\n\n',
    ' indented\nfirst line\n',
    'quote"s',
    "apo'strophe",
    'unicode ✓',
    '\u0007bell',
    // Plain-looking: written as they are, but for the core schema's words.
    'True',
    'FALSE',
    'Null',
    'prometheus-server',
    '/etc/config/alerting_rules.yml',
    'v1.2.3',
    '_x',
    'yes',
    'on',
    'a..b//c-',
    'x1e3',
  ];
  const data = {
    strings: tricky,
    keys: Object.fromEntries(tricky.filter((t) => !t.includes('\n')).map((t, i) => [t, i])),
    nested: { list: [[1, 2], [], {}, { a: [{ b: null }] }, 'x'], numbers: [0, -1, 1.5, 1e21, -0.25], booleans: [true, false], empty: { m: {}, l: [] } },
    blocks: { a: { b: { c: 'line one\nline two\n' } }, list: ['one\ntwo\n', { k: 'x\ny' }] },
  };
  const out = emitYaml(data);
  assert.equal(out, reference(data));
  assert.deepEqual(parseAllDocuments(out)[0]!.toJS(), sortKeysDeep(data));
});

test('random strings of names, URLs and sentences are written as the library writes them, as values and as keys', () => {
  // Letters the core schema's words and numbers are made of, and every character near the plain-scalar rules.
  const alphabet = [...'aZeEnultrxyoNIfs09_./()- :#,\'"'];
  let seed = 42;
  // A fixed linear congruential sequence: the same strings on every run.
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const strings = Array.from({ length: 30000 }, () =>
    Array.from({ length: 1 + Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''),
  );
  for (const s of [
    ...strings,
    'https://prometheus.dev-1.example.com',
    'https://dev-1.k8s.example.com:6443',
    'Stack of dev-1 (dev)',
    'a: b',
    'a:',
    '---x',
    '... x',
  ]) {
    assert.equal(emitYaml({ [s]: s }), reference({ [s]: s }), JSON.stringify(s));
  }
});

test('a mapping counts as empty by its own keys, as the library counts it', () => {
  const value = { inheritedOnly: Object.create({ hidden: 1 }), own: Object.assign(Object.create({ hidden: 1 }), { shown: 2 }) };
  assert.equal(emitYaml(value), reference(value));
});

test('shapes the emitter does not handle fall back to the library', () => {
  for (const value of [{ a: Number.NaN }, { a: -0 }, { 'multi\nline key': 1 }, { a: { b: ' lead\nx\n' } }]) {
    assert.equal(emitYaml(value), reference(value));
  }
});
