import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { hasUrlCredentials, redactUrls } from '../../scripts/lib/redact.ts';
import { PROJECT_ROOT } from '../helpers/repo.ts';

test('user information is hidden whatever it holds: @, blanks, tabs, line breaks, percent-encoding, upper-case schemes', () => {
  const cases: [string, string][] = [
    ['https://user:p@ss@w0rd@ghe.example.com/api', 'https://***@ghe.example.com/api'],
    ['https://user:hunter2\tpass@ghe.example.com/api', 'https://***@ghe.example.com/api'],
    ['https://user:hunter2\npass@ghe.example.com/api', 'https://***@ghe.example.com/api'],
    ['https://user%3Ahunter2@ghe.example.com/', 'https://***@ghe.example.com/'],
    ['HTTPS://hunter2tok@ghe.example.com/', 'HTTPS://***@ghe.example.com/'],
  ];
  for (const [text, redacted] of cases) assert.equal(redactUrls(text), redacted, JSON.stringify(text));
});

test('credentials without a scheme (scp-like remotes) and in queries and fragments are hidden', () => {
  assert.equal(redactUrls('repoURL is not valid: "git:hunter2@github.com:acme/x.git"'), 'repoURL is not valid: "***@github.com:acme/x.git"');
  assert.equal(redactUrls('GITHUB_API_URL user:hunter2@ghe.example.com/api/v3'), 'GITHUB_API_URL ***@ghe.example.com/api/v3');
  assert.equal(redactUrls('https://argocd.example.com/?pass=hunter2&x=1'), 'https://argocd.example.com/?pass=***&x=1');
  assert.equal(redactUrls('https://argocd.example.com/#access_token=hunter2'), 'https://argocd.example.com/#access_token=***');
  assert.equal(redactUrls('http://hooks.slack.com/services/T0/B0/hunter2'), 'http://hooks.slack.com/services/***');
});

test('what is not a credential is kept: image digests, e-mail addresses, ports, file:line positions', () => {
  for (const text of [
    'image: registry.example.com/nginx:1.25@sha256:0123abcd',
    'nginx:1.25@sha256:0123abcd',
    'codeOwners: @acme/sre ops@acme.example',
    'cannot reach https://argocd.example.com:8443/api: ECONNREFUSED, ask ops@acme.example',
    'clusters/alpha.yaml:14:9: plaintext secret',
  ])
    assert.equal(redactUrls(text), text);
});

test('JSON output stays valid: a password is never cut at a quote', () => {
  const report = JSON.stringify({ findings: [{ message: 'see https://host:abc', file: 'a@b' }, { message: 'https://user:pa"ss word@host/x' }] }, null, 2);
  const redacted = redactUrls(report);
  const parsed = JSON.parse(redacted) as { findings: { message: string }[] };
  assert.equal(parsed.findings[1]!.message, 'https://***@host/x');
  assert.ok(!redacted.includes('pa\\"ss'));
});

// Under a second each on an idle machine; backtracking would take minutes on 1 MiB. The bound leaves room for a loaded one.
test('redaction is linear: a 1 MiB line of URL-like words, or of what its patterns could backtrack on, stays far from backtracking', () => {
  for (const unit of ['https://h:x ', 'https://a/b ', 'https://u:p@h ', '?', '?a', '=a:', 'a.']) {
    const started = performance.now();
    redactUrls(unit.repeat((1024 * 1024) / unit.length));
    assert.ok(performance.now() - started < 15_000, `${unit}: ${performance.now() - started} ms`);
  }
});

test('hasUrlCredentials sees what a client would send: line breaks dropped', () => {
  assert.ok(hasUrlCredentials('https://user:hunter2\npass@ghe.example.com/api/v3'));
  assert.ok(hasUrlCredentials('https://argocd.example.com/?pass=x'));
  assert.ok(!hasUrlCredentials('https://argocd.example.com/api'));
});

test('a URL cut between two writes is still redacted, and held text is printed at exit', () => {
  const script = [
    "import { redactProcessOutput } from './scripts/lib/redact.ts';",
    'redactProcessOutput();',
    "process.stdout.write('fetching https://user:hun');",
    "process.stdout.write('ter2@ghe.example.com/x done\\n');",
    "process.stdout.write('progress 3/10');",
    "process.stderr.write('at https:/');",
    "process.stderr.write('/tok:hunter2@h.example.com');",
  ].join('\n');
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, 'fetching https://***@ghe.example.com/x done\nprogress 3/10');
  assert.equal(run.stderr, 'at https://***@h.example.com');
});
