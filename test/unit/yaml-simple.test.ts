import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCleanFile, findPlaintextSecrets } from '../../scripts/inventory/secrets.ts';
import { lazySource, parseYamlSource } from '../../scripts/lib/yaml.ts';
import { readSimpleYaml } from '../../scripts/lib/yaml-simple.ts';

/** A seeded generator, so that a failure names a text that can be made again. */
function randomFrom(seed: number) {
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick };
}

const NAMES = ['name', 'apps', 'enabled', 'values', 'server', 'retention', 'a.b', 'app.kubernetes.io/name', 'k-1', '_k', 'domain', 'constructor'];
const ODD_NAMES = ['true', 'True', 'FALSE', 'null', 'Null', '~', '__proto__', '<<', 'a b', 'a:b', '1', '-k', 'on', 'yes', "'q'", '"q"', 'k#', 'é'];
const SECRET_NAMES = ['password', 'token', 'apiKey', 'existingSecret', 'api_url_file', 'auth', 'webhook_url'];
const VALUES = [
  'dev-1',
  'true',
  'false',
  'True',
  'null',
  '~',
  '',
  '8d',
  '1.34.2',
  '1.30',
  '0',
  '7',
  '007',
  '-3',
  '+3',
  '1e3',
  '.5',
  '0o17',
  '0x1f',
  '.inf',
  '.NaN',
];
const SECRET_VALUES = [
  'https://hooks.slack.com/services/T000/B000/XXXXXXXX',
  'xoxb-1234567890-abcdef',
  'ghp_abcdefghijklmnopqrstuvwx',
  'AKIAABCDEFGHIJKLMNOP',
  'https://user:hunter2@example.com',
  '${SLACK_URL}',
  'Bearer abc123456789',
];
const ALPHABET = [...'abzAZ09._/-:@=+ #\'"\\~,[]{}&*!|>%`?\t'];

/** A text near what readSimpleYaml reads: mostly plain mappings, with every kind of deviation now and then. */
function randomText(random: ReturnType<typeof randomFrom>): string {
  const { next, pick } = random;
  const lines: string[] = [];
  const word = () => Array.from({ length: 1 + Math.floor(next() * 8) }, () => pick(ALPHABET)).join('');
  const key = () => {
    const r = next();
    return r < 0.8 ? pick(NAMES) : r < 0.9 ? pick(SECRET_NAMES) : r < 0.97 ? pick(ODD_NAMES) : word();
  };
  const value = () => {
    const r = next();
    const text = r < 0.5 ? pick(NAMES) : r < 0.75 ? pick(VALUES) : r < 0.85 ? pick(SECRET_VALUES) : word();
    const q = next();
    return q < 0.08 ? `"${text}"` : q < 0.14 ? `'${text}'` : text;
  };
  const mapping = (indent: number, depth: number) => {
    const count = 1 + Math.floor(next() * 4);
    for (let i = 0; i < count; i++) {
      const odd = next();
      if (odd < 0.03) lines.push('');
      else if (odd < 0.07) lines.push(`${' '.repeat(Math.floor(next() * 6))}# ${pick([...NAMES, ...SECRET_VALUES])}`);
      else if (odd < 0.08) lines.push(' '.repeat(1 + Math.floor(next() * 3)));
      else if (odd < 0.085) lines.push(pick(['---', '...', '%YAML 1.2', '- item']));
      const at = ' '.repeat(odd > 0.985 ? Math.max(0, indent + pick([-1, 1])) : indent);
      const k = key();
      if (depth < 4 && next() < 0.3) {
        lines.push(`${at}${k}:${next() < 0.03 ? ' ' : ''}`);
        if (next() < 0.97) mapping(indent + 1 + Math.floor(next() * 3), depth + 1);
      } else {
        const v = value();
        const tail = next() < 0.03 ? pick([' ', ' # note', '#x']) : '';
        lines.push(`${at}${k}:${next() < 0.02 ? '' : ' '}${v}${tail}`);
      }
    }
  };
  if (next() < 0.2) lines.push('# yaml-language-server: $schema=../schemas/cluster.schema.json');
  mapping(0, 0);
  return `${lines.join('\n')}${next() < 0.9 ? '\n' : ''}`;
}

/** `count` random texts from one seed, each with what the simple reader made of it. */
function* randomTexts(seed: number, count: number) {
  const random = randomFrom(seed);
  for (let i = 0; i < count; i++) {
    const text = randomText(random);
    yield { text, simple: readSimpleYaml(text) };
  }
}

/** isCleanFile's verdict on a simply read text. */
const toldClean = (text: string, simple: NonNullable<ReturnType<typeof readSimpleYaml>>) =>
  isCleanFile('f.yaml', text, { source: lazySource('f.yaml', text, simple.data), simple: simple.scalars });

test('what the simple reader reads is what the yaml library reads, without a problem, over 20,000 random texts', () => {
  let read = 0;
  let declined = 0;
  for (const { text, simple } of randomTexts(7, 20000)) {
    const { source, problems } = parseYamlSource('f.yaml', text);
    if (!simple) {
      declined++;
      continue;
    }
    read++;
    assert.deepEqual(problems, [], `the library finds problems in a text the simple reader read:\n${text}`);
    assert.deepStrictEqual(simple.data, source.data, `read differently:\n${text}`);
  }
  // Both ways are exercised: most texts are read here, and many are left to the library.
  assert.ok(read > 4000 && declined > 4000, `read ${read}, declined ${declined}`);
});

test("a simply read file is found clean exactly when the library's scan finds no secret in it", () => {
  let withSecrets = 0;
  let clean = 0;
  for (const { text, simple } of randomTexts(11, 20000)) {
    if (!simple) continue;
    const scanned = findPlaintextSecrets('f.yaml', text).length === 0;
    const told = toldClean(text, simple);
    assert.equal(told, scanned, `told ${told ? 'clean' : 'not clean'}, the scan says otherwise:\n${text}`);
    if (scanned) clean++;
    else withSecrets++;
  }
  assert.ok(withSecrets > 500 && clean > 500, `with secrets ${withSecrets}, clean ${clean}`);
});

test('a cluster file is read simply; anchors, lists, flow mappings and multi-line strings are left to the library', () => {
  const cluster =
    'name: dev-1\nenvironment: dev\nkubernetesVersion: 1.34.2\napps:\n  prometheus:\n    enabled: true\n    values:\n      server:\n        retention: 8d\n';
  assert.deepEqual(readSimpleYaml(cluster)?.data, {
    name: 'dev-1',
    environment: 'dev',
    kubernetesVersion: '1.34.2',
    apps: { prometheus: { enabled: true, values: { server: { retention: '8d' } } } },
  });
  // A key of 1,025 characters is a problem to the library (implicit keys end within 1,024).
  for (const text of [
    'a: &x 1\nb: *x\n',
    'a:\n  - 1\n',
    'a: {b: 1}\n',
    'a: |\n  text\n',
    'a: b\n  c\n',
    '# only a comment\n',
    'a:\n',
    `${'k'.repeat(1025)}: 1\n`,
  ])
    assert.equal(readSimpleYaml(text), undefined, text);
});

test('a secret in a comment, a literal under a secret key or a secret value keeps a simply read file from being told clean', () => {
  const told = (text: string) => toldClean(text, readSimpleYaml(text)!);
  assert.equal(told('name: dev-1\nb: c\n'), true);
  for (const text of [
    'name: dev-1\n  # https://hooks.slack.com/services/T000/B000/XXXXXXXX\n',
    'name: dev-1\npassword: hunter2\n',
    'name: dev-1\nurl: https://user:hunter2@example.com\n',
  ])
    assert.equal(told(text), false, text);
});
