import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { findPlaintextSecrets } from '../../scripts/inventory/secrets.ts';
import { runCli } from '../helpers/cli.ts';
import { alphaValues, assertGenerateRefuses, editFile, type InputCase } from '../helpers/input-cases.ts';
import { committedRepo } from '../helpers/faults.ts';
import { MINIMAL } from '../helpers/inventory.ts';

/**
 * A hostile pass over round two's surfaces (issue #19): names the reader must not skip or print raw, YAML that
 * changes meaning through directives and aliases, secrets hidden by anchors or in comments, URLs that parsers
 * read differently, and credentials in odd shapes. Each is refused with a fix, nothing is written, no secret printed.
 */
const copyAlpha = (to: string) => async (root: string) => writeFile(join(root, to), await readFile(join(root, 'clusters/alpha.yaml')));
const mirror = (to: string) => editFile('fleet.yaml', (t) => `${t}chartMirrors:\n  https://charts.example.com/prometheus: ${to}\n`);

const HOSTILE_CASES: InputCase[] = [
  {
    name: 'a case-variant Clusters/ folder at the root',
    setup: async (root) => {
      await mkdir(join(root, 'Clusters'));
      await copyAlpha('Clusters/gamma.yaml')(root);
    },
    code: 1,
    stderr: [/^Clusters: is not read: the inventory's name is clusters\n {4}fix: move what it holds into clusters and remove it/m],
  },
  {
    name: 'fleet.yml beside fleet.yaml',
    setup: async (root) => writeFile(join(root, 'fleet.yml'), 'repoURL: https://git.example.com/other.git\n'),
    code: 1,
    stderr: [/^fleet\.yml: is not read: the inventory's name is fleet\.yaml/m],
  },
  {
    name: "promtool's rules/tests folder replaced by a link out of the repository",
    setup: async (root) => symlink('/etc', join(root, 'base/prometheus/rules/tests')),
    code: 1,
    stderr: [/^base\/prometheus\/rules\/tests: is a symbolic link/m],
  },
  {
    name: 'a file name with a line break that forges a finding',
    setup: copyAlpha('clusters/x\nfleet.yaml:1:1: all good.yaml'),
    code: 1,
    stderr: [/^clusters\/x\\u000afleet\.yaml:1:1: all good\.yaml: its name holds a control or bidirectional character/m],
  },
  {
    name: 'a file name with terminal escapes and a bidirectional override',
    setup: async (root) => {
      await writeFile(join(root, 'clusters/\x1b[2JOK.txt'), '');
      await copyAlpha('clusters/gam\u202elmay.yaml')(root);
    },
    code: 1,
    stderr: [/^clusters\/\\u001b\[2JOK\.txt: its name holds/m, /^clusters\/gam\\u202elmay\.yaml: its name holds/m],
  },
  {
    name: 'a %YAML 1.1 directive (yes, 0777 and dates change meaning)',
    setup: async (root) => {
      await alphaValues('        enabled: yes\n        when: 2001-12-14\n')(root);
      await editFile('clusters/alpha.yaml', (t) => `%YAML 1.1\n---\n${t}`)(root);
    },
    code: 1,
    stderr: [/^clusters\/alpha\.yaml:1:1: %YAML 1\.1 reads yes\/no as booleans/m],
  },
  {
    name: 'an alias as a key (a map, and __proto__)',
    setup: alphaValues('        x: &m {a: 1}\n        *m : oops\n        y: &p __proto__\n        *p : {retention: 1d}\n'),
    code: 1,
    stderr: [/^clusters\/alpha\.yaml:15:9: a key is an alias/m, /^clusters\/alpha\.yaml:17:9: a key is an alias/m],
  },
  {
    name: 'a quoted "<<" key, written out plain where Helm merges it',
    setup: alphaValues('        "<<": {retention: 1d}\n'),
    code: 1,
    stderr: [/^clusters\/alpha\.yaml:14:9: key '<<' is written out plain, where Helm merges it/m],
  },
  {
    name: 'a password behind an anchor and an alias',
    setup: alphaValues('        x: &a hunter2hunter2\n        adminPassword: *a\n        passwords: [*a]\n        password: [*a]\n'),
    code: 1,
    stderr: [
      /^clusters\/alpha\.yaml:15:9: plaintext secret: 'adminPassword' has a literal value/m,
      /^clusters\/alpha\.yaml:17:9: plaintext secret: 'password'/m,
    ],
    never: ['hunter2hunter2'],
  },
  {
    name: 'a GitHub token in a comment',
    setup: alphaValues('        retention2: 3d # ghp_0123456789abcdefghijklmnopqrstuvwx\n'),
    code: 1,
    stderr: [/^clusters\/alpha\.yaml:14:26: plaintext secret: a GitHub token/m],
    never: ['0123456789abcdefghij'],
  },
  {
    name: 'secrets a key names: Authorization: Basic, x-api-key, a ${{ }} reference hiding a literal',
    setup: alphaValues(
      '        headers:\n          Authorization: Basic aHVudGVyMmh1bnRlcjI=\n        x-api-key: hunter2hunter2\n        adminPassword: "${{ x }}hunter2hunter2}}"\n',
    ),
    code: 1,
    stderr: [
      /^clusters\/alpha\.yaml:15:11: plaintext secret: 'Authorization' has a literal value/m,
      /^clusters\/alpha\.yaml:16:9: plaintext secret: 'x-api-key'/m,
      /^clusters\/alpha\.yaml:17:9: plaintext secret: 'adminPassword'/m,
    ],
    never: ['aHVudGVyMmh1bnRlcjI', 'hunter2hunter2'],
  },
  {
    name: 'a percent-encoded password in a values URL',
    setup: alphaValues('        url: https://user%3Ahunter2hunter2@remote.example.com/write\n'),
    code: 1,
    stderr: [/^clusters\/alpha\.yaml:14:14: plaintext secret: a URL with a password/m],
    never: ['hunter2hunter2'],
  },
  {
    name: 'an scp-style repoURL with a password',
    setup: editFile('fleet.yaml', (t) => t.replace('https://git.example.com/fleet.git', 'git:hunter2pass@github.com:acme/fleet.git')),
    code: 1,
    stderr: [/^fleet\.yaml:1:10: repoURL /m],
    never: ['hunter2pass'],
  },
  {
    name: 'a backslash before an @ in a pin (WHATWG reads one host, curl another)',
    setup: editFile('overlays/dev/pins.yaml', (t) =>
      t.replace('https://charts.example.com/prometheus', '"https://charts.example.com\\\\@evil.example/prometheus"'),
    ),
    code: 1,
    stderr: [/^overlays\/dev\/pins\.yaml:2:12: prometheus\.repoURL: .* is not written the way URL parsers agree on/m],
  },
  {
    name: 'a loopback mirror spelled 127.1 (WHATWG reads 127.0.0.1, Go looks the name up)',
    setup: mirror('http://127.1/prometheus'),
    code: 1,
    stderr: [
      /^fleet\.yaml:\d+:\d+: chartMirrors\.https:\/\/charts\.example\.com\/prometheus: "http:\/\/127\.1\/prometheus" is not written the way URL parsers agree on \("http:\/\/127\.0\.0\.1\/prometheus"\)/m,
    ],
  },
];

for (const c of HOSTILE_CASES) {
  test(`generate, hostile case ${c.name}: exit ${c.code}, the message, nothing written`, async () => {
    await assertGenerateRefuses(c);
  });
}

test('a file name that is not UTF-8 is refused as bad input (exit 1), not as an unreadable file (exit 2)', async () => {
  const root = await committedRepo(MINIMAL);
  // Node cannot name such a file; the shell can.
  execFileSync('sh', ['-c', `cp clusters/alpha.yaml "$(printf 'clusters/\\377.yaml')"`], { cwd: root });
  const result = await runCli('generate', ['--root', root]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /^clusters\/\\ufffd\.yaml: its name holds .* bytes that are not UTF-8/m);
});

test('credentials in GITHUB_API_URL and --argocd-url in odd shapes: a line break in the password, ?pass=, #access_token=', async () => {
  const root = await committedRepo(MINIMAL);
  const runs = [
    await runCli('promote', ['--root', root, '--from', 'dev', '--to', 'prod'], {
      GITHUB_TOKEN: 'x',
      GITHUB_API_URL: 'https://user:hunter2\npass@ghe.example.com/api/v3',
    }),
    await runCli('promote', ['--root', root, '--from', 'dev', '--to', 'prod'], {
      GITHUB_TOKEN: 'x',
      GITHUB_API_URL: 'user:hunter2pass@ghe.example.com/api/v3',
    }),
    await runCli('drift', ['--root', root, '--argocd-url', 'https://admin:hunter2\npass@argocd.example.com'], { ARGOCD_TOKEN: 't' }),
    await runCli('drift', ['--root', root, '--argocd-url', 'https://argocd.example.com/?pass=hunter2pass'], { ARGOCD_TOKEN: 't' }),
    await runCli('drift', ['--root', root, '--argocd-url', 'https://argocd.example.com/#access_token=hunter2pass'], { ARGOCD_TOKEN: 't' }),
  ];
  for (const run of runs) {
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^usage error: (GITHUB_API_URL|--argocd-url) \S+ carries credentials/m);
    assert.ok(!`${run.stdout}${run.stderr}`.includes('hunter2'), `hunter2 printed:\n${run.stderr}`);
  }
});

test('the secret scan stays linear on a 1 MiB file built to make its patterns backtrack', { timeout: 120_000 }, async () => {
  const root = await committedRepo(MINIMAL);
  // A dotted word: every dot starts a candidate URL scheme (was minutes, quadratic).
  await writeFile(join(root, 'base/prometheus/values.yaml'), `extra: ${'a.'.repeat(500_000)}\n`);
  const started = performance.now();
  const result = await runCli('generate', ['--root', root]);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(performance.now() - started < 30_000, `generate took ${performance.now() - started} ms`);
  // Text that is not YAML is scanned by lines: a run of blanks around a dash (was quadratic in the run).
  const blanks = ' '.repeat(500_000);
  const scanStarted = performance.now();
  assert.deepEqual(findPlaintextSecrets('.github/workflows/x.yaml', `a: [\n${blanks}-${blanks}\n`), []);
  assert.ok(performance.now() - scanStarted < 2_000, `the line scan took ${performance.now() - scanStarted} ms`);
});
