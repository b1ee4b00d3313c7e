import assert from 'node:assert/strict';
import { readFile, symlink, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import type { InputCase } from '../helpers/input-cases.ts';
import { committedRepo, gitStatus, tempFiles } from '../helpers/faults.ts';
import { MINIMAL } from '../helpers/inventory.ts';
import { tempRepo } from '../helpers/repo.ts';

/**
 * Bad and hostile input against generate (issue #11): each case is refused with its message and exit
 * code, and the checkout is exactly as committed afterwards — no write, no temporary file.
 */
const ALPHA = 'clusters/alpha.yaml';
const alpha = (edit: (t: string) => string) => async (root: string) => writeFile(join(root, ALPHA), edit(await readFile(join(root, ALPHA), 'utf8')));
const bomb = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
].join('\n');

const cases: InputCase[] = [
  {
    name: '1 a cluster file that is a symlink',
    code: 1,
    setup: async (root) => {
      await rm(join(root, ALPHA));
      await writeFile(join(root, 'alpha.real'), await readFile(join(MINIMAL, ALPHA)));
      await symlink(join(root, 'alpha.real'), join(root, ALPHA));
    },
    stderr: [/^clusters\/alpha\.yaml: is a symbolic link; the inventory is read from regular files only\n {4}fix: replace the link/m],
  },
  {
    name: '1 a symlinked overlays/<env> folder',
    code: 1,
    setup: async (root) => {
      await rm(join(root, 'overlays/dev/prometheus.values.yaml'));
      const outside = await tempRepo({ 'prometheus.values.yaml': 'server: {}\n' });
      await symlink(join(outside, 'prometheus.values.yaml'), join(root, 'overlays/dev/prometheus.values.yaml'));
    },
    stderr: [/^overlays\/dev\/prometheus\.values\.yaml: is a symbolic link/m],
  },
  {
    name: '2 a symlinked folder in the generated tree',
    code: 1,
    setup: async (root) => {
      const outside = await tempRepo({ 'root.yaml': 'mine: true\n' });
      await rm(join(root, 'apps/alpha'), { recursive: true });
      await symlink(outside, join(root, 'apps/alpha'));
    },
    stderr: [/^apps\/alpha: a symbolic link or special file is in the generated tree; the generator never writes through it/m, /generate refused to touch/],
  },
  {
    name: "4 a billion-laughs alias bomb (and the other file's problem still reported)",
    code: 1,
    setup: async (root) => {
      await writeFile(join(root, 'overlays/dev/prometheus.values.yaml'), `${bomb}\n`);
      await alpha((t) => t.replace('domain:', 'domian:'))(root);
    },
    stderr: [/^overlays\/dev\/prometheus\.values\.yaml:1:1: aliases expand to too much data/m, /^clusters\/alpha\.yaml:\d+:\d+: unknown key 'domian'/m],
  },
  {
    name: '4 a 50 MB values file',
    code: 1,
    setup: (root) => writeFile(join(root, 'overlays/dev/prometheus.values.yaml'), `server:\n${'  k: v\n'.repeat((50 * 1024 * 1024) / 7)}`),
    stderr: [/^overlays\/dev\/prometheus\.values\.yaml: the file is 50\.0 MiB; inventory files are limited to 1 MiB/m],
  },
  {
    name: '4 100,000 nested [',
    code: 1,
    setup: (root) => writeFile(join(root, 'overlays/dev/prometheus.values.yaml'), `a: ${'['.repeat(100_000)}\n`),
    stderr: [/^overlays\/dev\/prometheus\.values\.yaml:1:\d+: nesting is deeper than 64 levels$/m, /error: 1 problem in the inventory/],
  },
  {
    name: '5 plaintext secrets in a cluster file',
    code: 1,
    setup: alpha((t) =>
      t.replace(
        '      server:\n',
        '      server:\n        bearer_token: s3cr3tvalue\n        remoteWrite:\n          - url: https://writer:hunter2x@metrics.example.com/api\n            headers:\n              Authorization: Bearer abc123def456ghi\n        slack: https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX\n        gh: ghp_abcdefghijklmnopqrstuvwxyz0123456789\n',
      ),
    ),
    stderr: [
      /^clusters\/alpha\.yaml:14:9: plaintext secret: 'bearer_token' has a literal value; generate would copy it into the generated tree/m,
      /^clusters\/alpha\.yaml:16:\d+: plaintext secret: a URL with a password/m,
      /^clusters\/alpha\.yaml:18:\d+: plaintext secret: a bearer token/m,
      /^clusters\/alpha\.yaml:19:\d+: plaintext secret: a Slack webhook URL/m,
      /^clusters\/alpha\.yaml:20:\d+: plaintext secret: a GitHub token/m,
    ],
    never: ['s3cr3tvalue', 'hunter2x', 'abc123def456ghi', 'XXXXXXXXXXXX', 'ghp_abcdefghij'],
  },
  {
    name: '7 an http:// chart repository',
    code: 1,
    setup: async (root) =>
      writeFile(
        join(root, 'overlays/dev/pins.yaml'),
        (await readFile(join(root, 'overlays/dev/pins.yaml'), 'utf8')).replace('https://charts.example.com', 'http://charts.example.com'),
      ),
    stderr: [
      /^overlays\/dev\/pins\.yaml:2:12: prometheus\.repoURL is not valid: "http:\/\/charts\.example\.com\/prometheus"\n {4}fix: write an https:\/\/ or oci:\/\/ repository URL.*plain http:\/\/ is refused/m,
    ],
  },
  {
    name: '7 one destination written twice (trailing slash, host case)',
    code: 1,
    setup: async (root) =>
      writeFile(
        join(root, 'clusters/gamma.yaml'),
        (await readFile(join(root, 'clusters/beta.yaml'), 'utf8'))
          .replaceAll('beta', 'gamma')
          .replace('server: https://gamma.example.org:6443', 'server: https://BETA.example.org:6443/')
          .replace('project: observability-gamma', 'project: observability-gamma'),
      ),
    stderr: [/^clusters\/gamma\.yaml:\d+:\d+: destination\.server 'https:\/\/BETA\.example\.org:6443\/' is also used by clusters\/beta\.yaml/m],
  },
  {
    name: '7 destination.namespace kube-system',
    code: 1,
    setup: alpha((t) => t.replace('namespace: monitoring', 'namespace: kube-system')),
    stderr: [
      /^clusters\/alpha\.yaml:8:14: destination\.namespace 'kube-system' is a system namespace: the AppProject would let the monitoring Applications create and prune objects there/m,
    ],
  },
  {
    name: '7 a values namespaceOverride',
    code: 1,
    setup: alpha((t) => t.replace('      server:\n', '      kube-state-metrics:\n        namespaceOverride: kube-system\n      server:\n')),
    stderr: [
      /^clusters\/alpha\.yaml \[alpha\/prometheus\]: prometheus values kube-state-metrics\.namespaceOverride: "kube-system" would put objects outside the destination namespace 'monitoring'/m,
    ],
  },
  {
    name: '7 a << merge key',
    code: 1,
    setup: (root) =>
      writeFile(join(root, 'overlays/dev/prometheus.values.yaml'), 'common: &common\n  scrape_interval: 30s\nserver:\n  global:\n    <<: *common\n'),
    stderr: [/^overlays\/dev\/prometheus\.values\.yaml:5:5: merge key '<<': Helm would merge it/m],
  },
  {
    name: '7 non-UTF-8 bytes',
    code: 1,
    setup: (root) =>
      writeFile(
        join(root, 'overlays/dev/prometheus.values.yaml'),
        Buffer.concat([Buffer.from('server:\n  name: caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
      ),
    stderr: [/^overlays\/dev\/prometheus\.values\.yaml:2:12: byte 0xe9 at offset 19 is not UTF-8/m],
  },
  {
    name: '7 an unquoted 1.30 where a string is wanted',
    code: 1,
    setup: alpha((t) => t.replace('kubernetesVersion: 1.34.2', 'kubernetesVersion: 1.30')),
    stderr: [/^clusters\/alpha\.yaml:3:20: kubernetesVersion must be string; YAML read the unquoted 1\.30 as a number \(1\.3\)\n {4}fix: quote it: "1\.30"/m],
  },
  {
    name: '7 a duplicate key is named',
    code: 1,
    setup: alpha((t) => `${t}domain: other.example.com\n`),
    stderr: [/^clusters\/alpha\.yaml:17:1: duplicate key 'domain' \(first at line 4\)/m],
  },
];

for (const c of cases) {
  test(`case ${c.name}: exit ${c.code}, the message, nothing written`, async () => {
    const root = await committedRepo(MINIMAL);
    await c.setup(root);
    const before = gitStatus(root);
    const started = Date.now();
    const result = await runCli('generate', ['--root', root]);
    assert.equal(result.code, c.code, result.stderr);
    for (const re of c.stderr) assert.match(result.stderr, re);
    for (const secret of c.never ?? []) assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), `${secret} printed`);
    assert.doesNotMatch(result.stderr, /internal error|Maximum call stack/);
    assert.ok(Date.now() - started < 20_000, 'refused quickly');
    assert.equal(gitStatus(root), before, 'generate changed nothing');
    assert.deepEqual(tempFiles(root), []);
  });
}
