import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EnvironmentError, UsageError } from '../../scripts/lib/errors.ts';
import { printable, xmlText } from '../../scripts/lib/output.ts';
import { outputFileOption, outputFolderOption, rootOption } from '../../scripts/lib/paths.ts';
import { readShardFiles, type ShardFileKind } from '../../scripts/lib/shard-files.ts';

test('printable leaves plain text, tabs, newlines and non-ASCII letters alone', () => {
  for (const text of ['plain', 'a\tb\nc', 'Grüße → 日本 🚀', '']) assert.equal(printable(text), text);
});

test('printable shows every terminal control as \\uXXXX: ESC, BEL, NUL, CR, DEL, C1, separators, bidi, lone surrogates', () => {
  assert.equal(printable('\u001b[31mred\u001b]0;t\u0007'), '\\u001b[31mred\\u001b]0;t\\u0007');
  assert.equal(printable('a\u0000b\rc\u007fd\u009be'), 'a\\u0000b\\u000dc\\u007fd\\u009be');
  assert.equal(printable('x\u2028y\u202ez\u2066'), 'x\\u2028y\\u202ez\\u2066');
  assert.equal(printable('lone \ud800 and \udfff, pair 🚀'), 'lone \\ud800 and \\udfff, pair 🚀');
});

test('printable on JSON text keeps it JSON with the same strings', () => {
  const value = { message: 'a\u001b[2J\u009b\u202e\ud800z' };
  assert.deepEqual(JSON.parse(printable(JSON.stringify(value))), value);
});

test('xmlText: the five XML escapes after printable; nothing XML 1.0 forbids remains', () => {
  assert.equal(xmlText(`<a href="x">&'\u0001</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;\\u0001&lt;/a&gt;');
  const all = Array.from({ length: 0x3000 }, (_, i) => String.fromCharCode(i)).join('');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters XML 1.0 allows, spelled out
  assert.doesNotMatch(xmlText(all), /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd]/);
});

const temps: string[] = [];
const temp = () => {
  temps.push(mkdtempSync(join(tmpdir(), 'mg-paths-')));
  return temps.at(-1)!;
};
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

test('rootOption: a folder is resolved; missing or a file is a usage error naming the path and the fix', () => {
  const dir = temp();
  assert.equal(rootOption(dir), dir);
  assert.throws(
    () => rootOption(join(dir, 'nope')),
    (err: Error) => err instanceof UsageError && /--root \S+nope: no such folder/.test(err.message),
  );
  writeFileSync(join(dir, 'f'), '');
  assert.throws(() => rootOption(join(dir, 'f')), /is a file, not a folder[\s\S]*\nfix: give the checkout's folder/);
});

test('outputFileOption: needs an existing folder, refuses a folder as the file', () => {
  const dir = temp();
  assert.equal(outputFileOption(undefined, '--out'), undefined);
  assert.equal(outputFileOption(join(dir, 'r.xml'), '--junit'), join(dir, 'r.xml'));
  assert.throws(() => outputFileOption(join(dir, 'a/b/r.xml'), '--junit'), /--junit \S+: the folder \S+\/a\/b does not exist\nfix: create it first \(mkdir -p/);
  assert.throws(() => outputFileOption(dir, '--out'), /: is a folder/);
  writeFileSync(join(dir, 'f'), '');
  assert.throws(() => outputFileOption(join(dir, 'f/r.xml'), '--out'), /\/f is a file, not a folder/);
});

test('outputFolderOption: a missing folder inside an existing one is fine (the command creates it); a file is not', () => {
  const dir = temp();
  assert.equal(outputFolderOption(join(dir, 'new'), '--out'), join(dir, 'new'));
  assert.equal(outputFolderOption(dir, '--out'), dir);
  assert.throws(() => outputFolderOption(join(dir, 'a/b'), '--out'), /the folder \S+\/a does not exist/);
  writeFileSync(join(dir, 'f'), '');
  assert.throws(() => outputFolderOption(join(dir, 'f'), '--out'), /is a file, not a folder/);
});

test('an unwritable output folder is an environment error', { skip: process.getuid?.() === 0 && 'root writes anywhere' }, () => {
  assert.throws(
    () => outputFileOption('/proc/report.xml', '--junit'),
    (err: Error) => err instanceof EnvironmentError && /cannot write into \/proc/.test(err.message),
  );
});

interface Doc {
  names: string[];
}
const KIND: ShardFileKind<Doc> = {
  what: 'a test shard',
  fix: 'pass the test shards',
  schema: { type: 'object', required: ['names'], properties: { names: { type: 'array', items: { type: 'string' } } } },
  units: (doc) => doc.names,
};
const files = (...texts: string[]) => {
  const dir = temp();
  return texts.map((text, i) => {
    writeFileSync(join(dir, `s${i}.json`), text);
    return join(dir, `s${i}.json`);
  });
};

test('readShardFiles: checked shards come back parsed', () => {
  assert.deepEqual(readShardFiles(files('{"names":["a"]}', '{"names":["b","b"]}'), KIND), [{ names: ['a'] }, { names: ['b', 'b'] }]);
});

test('readShardFiles: each refusal names the file, the place in it and the fix', () => {
  const refused = (texts: string[], re: RegExp) =>
    assert.throws(
      () => readShardFiles(files(...texts), KIND),
      (err: Error) => err instanceof UsageError && re.test(err.message) && /\nfix: pass the test shards$/.test(err.message),
    );
  refused(['nope'], /s0\.json: not a test shard: not JSON/);
  refused(['null'], /s0\.json: not a test shard: the document must be object/);
  refused(['{}'], /s0\.json: not a test shard: the document has no 'names'/);
  refused(['{"names":[1]}'], /s0\.json: not a test shard: names\[0\] must be string/);
  refused(['{"names":["a"]}', '{"names":["a"]}'], /s1\.json: a is also in \S+s0\.json/);
  const [one] = files('{"names":["a"]}');
  assert.throws(() => readShardFiles([one!, one!], KIND), /given twice/);
  assert.throws(() => readShardFiles([join(temp(), 'missing.json')], KIND), /missing\.json: cannot read it \(ENOENT\)/);
});
