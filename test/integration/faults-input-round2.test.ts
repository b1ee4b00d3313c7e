import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { alphaValues, assertGenerateRefuses, editFile, type InputCase } from '../helpers/input-cases.ts';
import { committedRepo } from '../helpers/faults.ts';
import { MINIMAL } from '../helpers/inventory.ts';

/**
 * Bad input, round two (issue #19, items 1–6 and 12): files that are not what the inventory reader reads,
 * YAML outside the core schema, credentials in URLs and secrets hidden by YAML syntax. Each is refused at
 * file:line with a fix, nothing is written, and no secret is printed.
 */
/** Moves a file into a folder of its own name: what `mkdir x.yaml.d; mv x.yaml …` can leave behind. */
const intoFolder = (path: string) => async (root: string) => {
  await rename(join(root, path), join(root, `${path}.tmp`));
  await mkdir(join(root, path));
  await rename(join(root, `${path}.tmp`), join(root, path, path.split('/').at(-1)!));
};

const ROUND_TWO_CASES: InputCase[] = [
  {
    name: '1 a cluster file replaced by a folder holding it',
    setup: intoFolder('clusters/alpha.yaml'),
    code: 1,
    stderr: [/^clusters\/alpha\.yaml: is a folder, not a regular file\n {4}fix: replace it with the file itself/m],
  },
  {
    name: "1 an environment's values file replaced by a folder",
    setup: intoFolder('overlays/dev/prometheus.values.yaml'),
    code: 1,
    stderr: [/^overlays\/dev\/prometheus\.values\.yaml: is a folder, not a regular file/m],
  },
  {
    name: '2 a rule file named .yml',
    setup: async (root) => writeFile(join(root, 'base/prometheus/rules/extra.yml'), 'groups: []\n'),
    code: 1,
    stderr: [
      /^base\/prometheus\/rules\/extra\.yml: is not read: base\/prometheus\/rules\/ holds alert rule files named \*\.yaml, and tests\/\n {4}fix: rename it to base\/prometheus\/rules\/extra\.yaml/m,
    ],
  },
  {
    name: '2 a dashboard named .JSON',
    setup: async (root) => writeFile(join(root, 'base/grafana/dashboards/extra.JSON'), '{}\n'),
    code: 1,
    stderr: [/^base\/grafana\/dashboards\/extra\.JSON: is not read: .*\n {4}fix: rename it to base\/grafana\/dashboards\/extra\.json/m],
  },
  {
    name: '2 an environment values file named .yml',
    setup: async (root) => writeFile(join(root, 'overlays/dev/grafana.values.yml'), 'replicas: 2\n'),
    code: 1,
    stderr: [/^overlays\/dev\/grafana\.values\.yml: is not read: .*\n {4}fix: rename it to overlays\/dev\/grafana\.values\.yaml/m],
  },
  {
    name: '3 a !!binary tag',
    setup: alphaValues('        persistentVolume: !!binary MTVk\n'),
    code: 1,
    stderr: [/^clusters\/alpha\.yaml:14:\d+: tag '!!binary' is outside YAML's core schema/m],
  },
  {
    name: '3 a __proto__ key',
    setup: alphaValues('        __proto__:\n          retention: 1d\n'),
    code: 1,
    stderr: [/^clusters\/alpha\.yaml:14:9: key '__proto__' cannot be carried through a values merge/m],
  },
  {
    name: "4 a token in fleet.yaml's repoURL",
    setup: editFile('fleet.yaml', (t) => t.replace('https://git.example.com', 'https://ghp_0123456789abcdefghijklmnopqrstuvwx@git.example.com')),
    code: 1,
    stderr: [
      /^fleet\.yaml:1:10: repoURL: "https:\/\/\*\*\*@git\.example\.com\/fleet\.git" carries credentials before the host\n {4}fix: remove them from the URL and rotate them/m,
    ],
    never: ['0123456789abcdefghij'],
  },
  {
    name: '5 a password in a flow mapping',
    setup: editFile('clusters/alpha.yaml', (t) =>
      t.replace('  grafana:\n    enabled: true\n', '  grafana:\n    enabled: true\n    values: {adminPassword: hunter2hunter2}\n'),
    ),
    code: 1,
    stderr: [/^clusters\/alpha\.yaml:17:14: plaintext secret: 'adminPassword' has a literal value/m],
    never: ['hunter2hunter2'],
  },
  {
    name: '5 a password as a multi-line plain scalar',
    setup: alphaValues('        basicAuthPassword:\n          hunter2hunter2\n          more\n'),
    code: 1,
    stderr: [/^clusters\/alpha\.yaml:14:9: plaintext secret: 'basicAuthPassword' has a literal value/m],
    never: ['hunter2hunter2'],
  },
  {
    name: '5 an escaped key',
    setup: alphaValues('        "admin\\x50assword": hunter2hunter2\n'),
    code: 1,
    stderr: [/^clusters\/alpha\.yaml:14:9: plaintext secret: 'adminPassword' has a literal value/m],
    never: ['hunter2hunter2'],
  },
  {
    name: '5 a Slack webhook split by a line continuation',
    setup: alphaValues('        slack: "https://hooks.slack.com/services/T0000/\\\n          B0000/XXXXXXXXXXXXXXXX"\n'),
    code: 1,
    stderr: [/^clusters\/alpha\.yaml:14:16: plaintext secret: a Slack webhook URL/m],
    never: ['XXXXXXXXXXXXXXXX'],
  },
  {
    name: '5 an explicit key',
    setup: alphaValues('        ? adminPassword\n        : hunter2hunter2\n'),
    code: 1,
    stderr: [/^clusters\/alpha\.yaml:14:11: plaintext secret: 'adminPassword' has a literal value/m],
    never: ['hunter2hunter2'],
  },
  {
    name: '12 a repoURL that is no URL',
    setup: editFile('fleet.yaml', (t) => t.replace('https://git.example.com/fleet.git', 'https://:::/x.git')),
    code: 1,
    stderr: [/^fleet\.yaml:1:10: repoURL: "https:\/\/:::\/x\.git" is not a URL/m],
  },
  {
    name: '12 a chart mirror over plain http://',
    setup: editFile('fleet.yaml', (t) => `${t}chartMirrors:\n  https://charts.example.com/prometheus: http://mirror.example.com/prometheus\n`),
    code: 1,
    stderr: [
      /^fleet\.yaml:\d+:\d+: chartMirrors\.https:\/\/charts\.example\.com\/prometheus: "http:\/\/mirror\.example\.com\/prometheus" uses http:\/\/ where https:\/\/ or oci:\/\/ is required\n {4}fix: use https:\/\//m,
    ],
  },
  {
    name: '12 a pin with a token in its repository URL',
    setup: editFile('overlays/dev/pins.yaml', (t) => t.replace('https://charts.example.com', 'https://robot:s3cr3tpass@charts.example.com')),
    code: 1,
    stderr: [/^overlays\/dev\/pins\.yaml:2:12: prometheus\.repoURL: "https:\/\/\*\*\*@charts\.example\.com\/prometheus" carries credentials/m],
    never: ['s3cr3tpass'],
  },
];

for (const c of ROUND_TWO_CASES) {
  test(`generate, case ${c.name}: exit ${c.code}, the message, nothing written`, async (t) => {
    const result = await assertGenerateRefuses(c);
    t.diagnostic(`exit ${result.code} | ${result.stderr.split('\n')[0]} | tree unchanged`);
  });
}

test('6 credentials in GITHUB_API_URL and --argocd-url are refused and never printed, whatever the password holds', async () => {
  const root = await committedRepo(MINIMAL);
  const runs = [
    await runCli('promote', ['--root', root, '--from', 'dev', '--to', 'prod'], {
      GITHUB_TOKEN: 'x',
      GITHUB_API_URL: 'https://user:s3cr/et@ghe.example.com/api/v3',
    }),
    await runCli('promote', ['--root', root, '--from', 'dev', '--to', 'prod'], {
      GITHUB_TOKEN: 'x',
      GITHUB_API_URL: 'https://user:s3cr et@ghe.example.com/api/v3',
    }),
    await runCli('drift', ['--root', root, '--argocd-url', 'https://admin:s3cr/et@argocd.example.com'], { ARGOCD_TOKEN: 't' }),
    await runCli('drift', ['--root', root, '--argocd-url', 'https://argocd.example.com/?token=s3cr3tquery'], { ARGOCD_TOKEN: 't' }),
  ];
  for (const run of runs) {
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^usage error: (GITHUB_API_URL|--argocd-url) https:\/\/(\*\*\*@)?[a-z.]+\.example\.com\S* carries credentials/m);
    for (const secret of ['s3cr', 'et@', 's3cr3tquery']) assert.ok(!`${run.stdout}${run.stderr}`.includes(secret), `${secret} printed:\n${run.stderr}`);
  }
});

test('validate reads only regular files beside the inventory: a FIFO among the rule tests is refused, not waited on', async () => {
  const root = await committedRepo(MINIMAL);
  await mkdir(join(root, 'base/prometheus/rules/tests'), { recursive: true });
  execFileSync('mkfifo', [join(root, 'base/prometheus/rules/tests/cpu.test.yaml')]);
  const result = await runCli('validate', ['--root', root]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(`${result.stdout}${result.stderr}`, /base\/prometheus\/rules\/tests\/cpu\.test\.yaml: is not a regular file; only regular files are read here/);
});
