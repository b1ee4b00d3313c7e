import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { createGitHubClient, explainGitHubError } from '../../scripts/lib/github.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { committedRepo, gitStatus, tempFiles } from '../helpers/faults.ts';
import { commitOnMain, fleetWithOrigin } from '../helpers/git-fleet.ts';
import { MINIMAL } from '../helpers/inventory.ts';
import { tempRepo } from '../helpers/repo.ts';

/**
 * Reports and paths as input (issue #19, items 10–13): every case is refused with its message and exit
 * code (2 for a bad report file, path or environment; 3 never), prints no terminal escape, and leaves the
 * checkout exactly as committed.
 */
const ESC = '\u001b';
const HOSTILE = `red ${ESC}[31mtext${ESC}]0;title\u0007 nul\u0000 csi\u009b2J cr\r bidi\u202e end`;
/** A folder outside the checkout, removed with the test file's other folders. */
const outside = () => tempRepo();

const leafReport = (cluster: string, extra: object = {}) => ({
  ok: false,
  seconds: 1.5,
  checks: [
    { name: 'kubeconform', title: 'kubeconform -strict', scope: 'leaf' },
    { name: 'actionlint', title: 'actionlint', scope: 'repository' },
  ],
  leaves: [{ cluster, environment: 'dev', app: 'prometheus', resources: 3, results: { kubeconform: 1 } }],
  skippedClusters: [],
  notes: [],
  findings: [{ file: `overlays/dev/${cluster}/prometheus/values.yaml`, message: HOSTILE, hint: HOSTILE, check: 'kubeconform', cluster, app: 'prometheus' }],
  ...extra,
});

const noChanges = { added: [], removed: [], changed: [], labelOnly: [] };
const diffShard = (cluster: string, extra: object = {}) => ({
  diff: {
    environments: ['dev'],
    changed: [
      {
        cluster,
        environment: 'dev',
        status: 'changed',
        apps: [
          {
            app: 'prometheus',
            status: 'changed',
            values: [{ path: 'server.name', before: 'a', after: HOSTILE }],
            resources: noChanges,
            breaking: [],
            leftBehind: [],
          },
        ],
        argo: noChanges,
      },
    ],
    groups: [],
    unchanged: [],
  },
  baseCommit: 'a'.repeat(40),
  head: 'b'.repeat(40),
  rendered: [cluster],
  seconds: 2,
  ...extra,
});

/** Writes JSON shard files into a folder outside the checkout; returns their paths. */
async function shardFiles(...docs: unknown[]): Promise<string[]> {
  const dir = await outside();
  return Promise.all(
    docs.map(async (doc, i) => {
      const file = join(dir, `shard-${i + 1}.json`);
      await writeFile(file, JSON.stringify(doc, null, 2));
      return file;
    }),
  );
}

/** No raw control character, DEL, C1 or bidi override reaches the terminal. */
function assertPrintable(result: CliResult): void {
  for (const [name, text] of Object.entries({ stdout: result.stdout, stderr: result.stderr })) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
    assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/, `raw control character on ${name}`);
  }
}

/** XML 1.0 well-formedness, enough for a JUnit file: legal characters, known entities, balanced tags. */
function assertWellFormedXml(xml: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters XML 1.0 allows, spelled out
  assert.doesNotMatch(xml, /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u, 'a character XML 1.0 does not allow');
  assert.doesNotMatch(xml.replace(/&(amp|lt|gt|quot|apos);/g, ''), /&/, 'an & that starts no entity');
  const stack: string[] = [];
  for (const [, close, name, attrs, selfClosing] of xml.replace(/^<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([\w:-]+)([^<>]*?)(\/?)>/g)) {
    assert.match(attrs!, /^(\s+[\w:-]+="[^"<]*")*\s*$/, `attributes of <${name}>`);
    if (close) assert.equal(stack.pop(), name, `</${name}> closes the open element`);
    else if (!selfClosing) stack.push(name!);
  }
  assert.deepEqual(stack, [], 'every element closed');
  assert.doesNotMatch(xml.replace(/<[^<>]*>/g, ''), /[<>]/, 'a < or > outside markup');
}

interface Case {
  name: string;
  command: string;
  /** The arguments, given the committed checkout. */
  args: (root: string) => Promise<string[]>;
  env?: Record<string, string>;
  code: number;
  stderr: RegExp[];
  stdout?: RegExp[];
  /** Answers within seconds: no retries (a request without an answer is retried four times over 14 s otherwise). */
  quick?: boolean;
}

const missingFolder = async () => join(await outside(), 'no-such-folder');
const aFile = async () => {
  const file = join(await outside(), 'a-file');
  await writeFile(file, 'not a folder\n');
  return file;
};
/** A local port nothing listens on (taken, then released). */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const cases: Case[] = [
  {
    name: '10 validate --merge prints terminal escapes as text',
    command: 'validate',
    args: () => shardFiles(leafReport('alpha')).then((files) => ['--merge', ...files]),
    code: 1,
    stderr: [],
    stdout: [/red \\u001b\[31mtext\\u001b\]0;title\\u0007 nul\\u0000 csi\\u009b2J cr\\u000d bidi\\u202e end/, /validate: 1 finding, 1 leaves/],
  },
  {
    name: '10 validate --merge --json stays JSON that reads back the same text',
    command: 'validate',
    args: () => shardFiles(leafReport('alpha')).then((files) => ['--merge', '--json', ...files]),
    code: 1,
    stderr: [],
    stdout: [/"message": "red \\u001b\[31mtext/],
  },
  {
    name: '10 a null finding is a report file that is not one (exit 2), not a crash',
    command: 'validate',
    args: () => shardFiles(leafReport('alpha'), leafReport('beta', { findings: [null] })).then((files) => ['--merge', ...files]),
    code: 2,
    stderr: [
      /^usage error: \S+shard-2\.json: not a validate --json report: findings\[0\] must be object\nfix: pass each file that validate --shard I\/N --json wrote, once$/m,
    ],
  },
  {
    name: '10 a leaf without fields is refused naming the field',
    command: 'validate',
    args: () => shardFiles(leafReport('alpha', { leaves: [{}] })).then((files) => ['--merge', ...files]),
    code: 2,
    stderr: [/^usage error: \S+shard-1\.json: not a validate --json report: leaves\[0\] has no 'cluster'$/m],
  },
  {
    name: '10 a finding of the wrong type is refused naming the field',
    command: 'validate',
    args: () => shardFiles(leafReport('alpha', { findings: [{ file: 'x', message: 'm', line: 'seven' }] })).then((files) => ['--merge', ...files]),
    code: 2,
    stderr: [/^usage error: \S+shard-1\.json: not a validate --json report: findings\[0\]\.line must be integer$/m],
  },
  {
    name: '13 validate --merge of the same shard file twice',
    command: 'validate',
    args: () => shardFiles(leafReport('alpha')).then(([file]) => ['--merge', file!, file!]),
    code: 2,
    stderr: [/^usage error: \S+shard-1\.json: given twice \(also as \S+shard-1\.json\); each shard is merged once$/m],
  },
  {
    name: '13 validate --merge of two copies of one shard',
    command: 'validate',
    args: () => shardFiles(leafReport('alpha'), leafReport('alpha')).then((files) => ['--merge', ...files]),
    code: 2,
    stderr: [/^usage error: \S+shard-2\.json: alpha\/prometheus is also in \S+shard-1\.json: the same shard twice, or shards of different runs$/m],
  },
  {
    name: '10 diff --merge prints terminal escapes as text',
    command: 'diff',
    args: () => shardFiles(diffShard('alpha'), diffShard('beta')).then((files) => ['--merge', ...files]),
    code: 0,
    stderr: [/^diff: 2 cluster\(s\) changed, 2 rendered/m],
    stdout: [/server\.name: a → red \\u001b\[31mtext/],
  },
  {
    name: '10 diff --merge: a null cluster diff is refused naming the field',
    command: 'diff',
    args: () =>
      shardFiles(diffShard('alpha'), diffShard('beta', { diff: { environments: [], changed: [null], unchanged: [] } })).then((files) => ['--merge', ...files]),
    code: 2,
    stderr: [/^usage error: \S+shard-2\.json: not a diff --format json file: diff\.changed\[0\] must be object$/m],
  },
  {
    name: '10 diff --merge: an app diff without its resources is refused',
    command: 'diff',
    args: () => {
      const broken = diffShard('alpha');
      delete (broken.diff.changed[0]!.apps[0] as { resources?: unknown }).resources;
      return shardFiles(broken).then((files) => ['--merge', ...files]);
    },
    code: 2,
    stderr: [/^usage error: \S+shard-1\.json: not a diff --format json file: diff\.changed\[0\]\.apps\[0\] has no 'resources'$/m],
  },
  {
    name: '13 diff --merge of the same shard twice',
    command: 'diff',
    args: () => shardFiles(diffShard('alpha'), diffShard('alpha')).then((files) => ['--merge', ...files]),
    code: 2,
    stderr: [/^usage error: \S+shard-2\.json: alpha is also in \S+shard-1\.json/m],
  },
  {
    name: '11 generate --root a folder that does not exist',
    command: 'generate',
    args: async () => ['--root', await missingFolder()],
    code: 2,
    stderr: [/^usage error: --root \S+no-such-folder: no such folder \(\S+\)\nfix: give the checkout's folder/m],
  },
  {
    name: '11 generate --root a file',
    command: 'generate',
    args: async () => ['--root', await aFile()],
    code: 2,
    stderr: [/^usage error: --root \S+a-file: is a file, not a folder/m],
  },
  {
    name: '11 validate --junit into a folder that does not exist (refused before any render)',
    command: 'validate',
    args: async (root) => ['--root', root, '--junit', join(await missingFolder(), 'report.xml')],
    code: 2,
    stderr: [/^usage error: --junit \S+no-such-folder\/report\.xml: the folder \S+no-such-folder does not exist\nfix: create it first \(mkdir -p \S+\)/m],
  },
  {
    name: '11 validate --junit a folder',
    command: 'validate',
    args: async (root) => ['--root', root, '--junit', await outside()],
    code: 2,
    stderr: [/^usage error: --junit \S+: is a folder \(\S+\)\nfix: name a file in it/m],
  },
  {
    name: '11 diff --out into a folder that does not exist',
    command: 'diff',
    args: async (root) => ['--root', root, '--base', 'HEAD', '--out', join(await missingFolder(), 'diff.json')],
    code: 2,
    stderr: [/^usage error: --out \S+no-such-folder\/diff\.json: the folder \S+ does not exist/m],
  },
  {
    name: '11 diff --root a folder that does not exist',
    command: 'diff',
    args: async () => ['--root', await missingFolder(), '--base', 'HEAD'],
    code: 2,
    stderr: [/^usage error: --root \S+no-such-folder: no such folder/m],
  },
  {
    name: '11 drift --out inside a file',
    command: 'drift',
    args: async (root) => ['--root', root, '--out', join(await aFile(), 'drift-report')],
    code: 2,
    stderr: [/^usage error: --out \S+a-file\/drift-report: \S+a-file is a file, not a folder\nfix: choose a path in an existing folder/m],
  },
  {
    name: '11 promote --plan-out into a folder that does not exist',
    command: 'promote',
    args: async (root) => ['--root', root, '--from', 'dev', '--to', 'staging', '--dry-run', '--plan-out', join(await missingFolder(), 'plan.json')],
    code: 2,
    stderr: [/^usage error: --plan-out \S+no-such-folder\/plan\.json: the folder \S+ does not exist/m],
  },
  {
    name: '11 MONITORING_GITOPS_CACHE naming a regular file',
    command: 'validate',
    args: async (root) => ['--root', root],
    env: { MONITORING_GITOPS_CACHE: '/etc/hostname' },
    code: 2,
    stderr: [/^error: MONITORING_GITOPS_CACHE=\/etc\/hostname: \/etc\/hostname is a file, not a folder\nfix: point MONITORING_GITOPS_CACHE at a folder/m],
  },
  {
    name: '12 drift --kubeconfig of a cluster the inventory does not have',
    command: 'drift',
    args: async (root) => ['--root', root, '--kubeconfig', 'nope=/etc/hostname'],
    code: 2,
    stderr: [/^usage error: --kubeconfig nope=\/etc\/hostname: no cluster 'nope' in clusters\/\nfix: name one of alpha/m],
  },
  {
    name: '12 drift --kubeconfig of a file that is no kubeconfig',
    command: 'drift',
    args: async (root) => ['--root', root, '--kubeconfig', 'alpha=/etc/hostname'],
    code: 2,
    stderr: [
      /^error: --kubeconfig alpha=\/etc\/hostname: kubeconfig \/etc\/hostname: not a kubeconfig \(it needs the lists contexts, clusters and users\)\nfix: give the kubeconfig of alpha/m,
    ],
  },
  {
    name: '13 a refused connection to the GitHub API says so once, with the URL',
    command: 'drift',
    args: async (root) => ['--root', root, '--issue'],
    env: { GITHUB_TOKEN: 'test-token', GITHUB_REPOSITORY: 'acme/fleet' },
    quick: true,
    code: 2,
    stderr: [
      /^error: cannot reach GitHub at http:\/\/127\.0\.0\.1:\d+\/repos\/acme\/fleet\/issues\S* \(connection refused, ECONNREFUSED\); check GITHUB_API_URL/m,
    ],
  },
  {
    name: '13 port 1 says why, not only "fetch failed"',
    command: 'drift',
    args: async (root) => ['--root', root, '--issue'],
    env: { GITHUB_TOKEN: 'test-token', GITHUB_REPOSITORY: 'acme/fleet', GITHUB_API_URL: 'http://127.0.0.1:1' },
    quick: true,
    code: 2,
    stderr: [/^error: cannot reach GitHub at http:\/\/127\.0\.0\.1:1\/repos\/acme\/fleet\/issues\S* \(a port fetch never connects to: bad port\)/m],
  },
  {
    name: '13 .generate.lock that is a folder is named as such, not as another run',
    command: 'generate',
    args: async (root) => {
      await mkdir(join(root, '.generate.lock'));
      return ['--root', root];
    },
    code: 2,
    stderr: [/^error: \S+\/\.generate\.lock is a folder, not the lock file of a generate run; nothing was written\nfix: move it away/m],
  },
];

for (const c of cases) {
  test(`case ${c.name}: exit ${c.code}, the message, nothing written`, async () => {
    const root = await committedRepo(MINIMAL);
    const args = await c.args(root);
    const env = { GITHUB_API_URL: `http://127.0.0.1:${await closedPort()}`, ...c.env };
    const before = gitStatus(root);
    const started = Date.now();
    const result = await runCli(c.command, args, env);
    assert.equal(result.code, c.code, result.stderr);
    if (c.quick) assert.ok(Date.now() - started < 10_000, 'no retries');
    for (const re of c.stderr) assert.match(result.stderr, re);
    for (const re of c.stdout ?? []) assert.match(result.stdout, re);
    assert.doesNotMatch(result.stderr, /internal error|\b500\b|fetch failed/);
    assertPrintable(result);
    assert.equal(gitStatus(root), before, 'nothing written in the checkout');
    assert.deepEqual(
      tempFiles(root).filter((f) => f !== '.generate.lock'),
      [],
    );
  });
}

test('case 10: validate --merge --json reads back as the same report, escapes as JSON escapes', async () => {
  const files = await shardFiles(leafReport('alpha'));
  const result = await runCli('validate', ['--merge', '--json', ...files]);
  assert.equal(result.code, 1, result.stderr);
  assert.equal(JSON.parse(result.stdout).findings[0].message, HOSTILE);
});

test('case 10: the JUnit file of hostile findings is well-formed XML and keeps the text readable', async () => {
  const files = await shardFiles(leafReport('alpha'), leafReport('beta'));
  const junit = join(await outside(), 'report.xml');
  const result = await runCli('validate', ['--merge', '--junit', junit, ...files]);
  assert.equal(result.code, 1, result.stderr);
  const xml = await readFile(junit, 'utf8');
  assertWellFormedXml(xml);
  assert.match(xml, /<failure message="red \\u001b\[31mtext\\u001b\]0;title\\u0007 nul\\u0000 csi\\u009b2J cr\\u000d bidi\\u202e end">/);
  assert.match(xml, /<testcase classname="beta" name="prometheus">/);
});

test('case 13: an uncommitted overlays/staging/pins.yaml is named whole', async () => {
  const { root } = await fleetWithOrigin();
  await commitOnMain(root, 'overlays/dev/pins.yaml', (t) => t.replace('version: 29.27.0', 'version: 29.28.0'), 'dev: prometheus 29.28.0');
  const pins = join(root, 'overlays/staging/pins.yaml');
  await writeFile(pins, `${await readFile(pins, 'utf8')}# local edit\n`);
  const before = gitStatus(root);
  const result = await runCli('promote', ['--root', root, '--from', 'dev', '--to', 'staging', '--dry-run']);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /promotion refused: overlays\/staging\/pins\.yaml has uncommitted changes in your checkout/);
  assert.doesNotMatch(result.stderr, /[^o]verlays\/staging\/pins\.yaml has/);
  assert.equal(gitStatus(root), before);
});

test('case 13: a dropped GitHub connection is still retried, and explained once with the URL when it keeps dropping', async () => {
  let requests = 0;
  let drops = 2;
  const server = createHttpServer((req, res) => {
    requests++;
    if (drops-- > 0) return void req.socket.destroy();
    res.setHeader('content-type', 'application/json');
    res.end('[]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const gh = createGitHubClient('t', { baseUrl: url, retryAfterBaseValue: 5, writeSpacing: 0 });
    assert.equal((await gh.rest.pulls.list({ owner: 'acme', repo: 'fleet' })).status, 200);
    assert.equal(requests, 3, 'two drops, then the answer');
    drops = Number.POSITIVE_INFINITY;
    const err = await gh.rest.pulls.list({ owner: 'acme', repo: 'fleet' }).then(
      () => assert.fail('no answer expected'),
      (e: unknown) => explainGitHubError(e, { what: 'the pull request', rerun: 'run promote again' }),
    );
    assert.equal(requests, 7, 'four attempts');
    assert.equal(
      err.message,
      `cannot reach GitHub at ${url}/repos/acme/fleet/pulls (the connection closed without an answer, UND_ERR_SOCKET); check GITHUB_API_URL and the network; run promote again`,
    );
  } finally {
    server.close();
  }
});
