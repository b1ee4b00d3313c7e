import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { destinationKey } from '../../scripts/inventory/destinations.ts';
import { planGenerate } from '../../scripts/generate/plan.ts';
import { EXIT, reportError } from '../../scripts/lib/errors.ts';
import { redactUrls } from '../../scripts/lib/redact.ts';
import { parseYamlSource } from '../../scripts/lib/yaml.ts';
import { nestingProblem } from '../../scripts/lib/yaml-limits.ts';
import { promotionBranch } from '../../scripts/promote/plan.ts';
import { findPlaintextSecrets } from '../../scripts/inventory/secrets.ts';
import { minimalInventory } from '../helpers/inventory.ts';

test('validate finds Authorization: Bearer headers and URLs with a password; references and prose pass', () => {
  const scan = (text: string) => findPlaintextSecrets('f.yaml', text).map((f) => f.message);
  assert.deepEqual(scan('headers:\n  Authorization: Bearer eyJhbGciOi1234abcd\n'), ['plaintext secret: a bearer token']);
  assert.deepEqual(scan('url: https://writer:hunter2x@metrics.example.com/push\n'), ['plaintext secret: a URL with a password']);
  assert.deepEqual(
    scan('url: https://writer:${PASSWORD}@metrics.example.com/push\nnote: uses Bearer authentication\nurl2: https://metrics.example.com/push\n'),
    [],
  );
});

test('URL credentials are redacted from everything reportError prints', () => {
  assert.equal(redactUrls('cannot reach https://bot:s3cret@ghe.example.com/api/v3 (x)'), 'cannot reach https://***@ghe.example.com/api/v3 (x)');
  const lines: string[] = [];
  reportError(new Error('fetch https://token123@ghe.example.com failed'), (l) => lines.push(l));
  assert.ok(!lines.join('\n').includes('token123'));
});

test('EACCES and other machine faults are exit 2 naming the path, not an internal error', () => {
  const lines: string[] = [];
  const err = Object.assign(new Error("EACCES: permission denied, open '/r/apps/x.yaml'"), { code: 'EACCES', path: '/r/apps/x.yaml', syscall: 'open' });
  assert.equal(
    reportError(err, (l) => lines.push(l)),
    EXIT.notRun,
  );
  assert.equal(lines.join('\n'), 'error: permission denied (open /r/apps/x.yaml); fix the file system (owner, mode, mount, free space) and run again');
});

test('duplicate keys are found in linear time and named', () => {
  const text = `${Array.from({ length: 40_000 }, (_, i) => `key${i}: v`).join('\n')}\nkey7: again\n`;
  const started = performance.now();
  const { problems } = parseYamlSource('f.yaml', text);
  assert.ok(performance.now() - started < 5000, 'parsing 40,000 keys stays fast');
  assert.deepEqual(
    problems.map((p) => `${p.line}:${p.column} ${p.message}`),
    ["40001:1 duplicate key 'key7' (first at line 8)"],
  );
});

test('nesting is bounded before parsing: flow, block and dash runs; brackets in quotes and comments do not count', () => {
  assert.ok(nestingProblem(`a: ${'['.repeat(65)}`));
  assert.ok(nestingProblem(Array.from({ length: 70 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')));
  assert.ok(nestingProblem(`${'- '.repeat(70)}x`));
  assert.equal(nestingProblem(`a: "${'['.repeat(100)}"\nb: 'it''s ${'{'.repeat(100)}'\n# ${'['.repeat(100)}\nc: [[1], {d: [2]}]\n`), undefined);
});

test('destinations compare as Argo CD sees them: host case, trailing slash', () => {
  const key = (server: string) => destinationKey({ server, namespace: 'm' });
  assert.equal(key('https://BETA.example.org:6443/'), key('https://beta.example.org:6443'));
  assert.notEqual(key('https://beta.example.org:6443'), key('https://beta.example.org:6444'));
});

test('promotion branch names never nest inside each other', () => {
  const all = promotionBranch({ from: 'dev', to: 'staging' });
  const one = promotionBranch({ from: 'dev', to: 'staging', app: 'prometheus' });
  assert.deepEqual([all, one], ['promote/dev-to-staging/all', 'promote/dev-to-staging/prometheus']);
  assert.ok(!one.startsWith(`${all}/`) && !all.startsWith(`${one}/`));
});

test('every leaf keeps its PersistentVolumeClaims when Argo CD prunes or deletes the Application', async () => {
  const leaves = planGenerate(await minimalInventory()).filter((f) => f.path.endsWith('/kustomization.yaml'));
  assert.ok(leaves.length > 0);
  for (const leaf of leaves) {
    const patches = (parseAllDocuments(leaf.content)[0]!.toJS() as { patches: { target: { kind: string }; patch: string }[] }).patches;
    const pvc = patches.find((p) => p.target.kind === 'PersistentVolumeClaim');
    assert.ok(pvc, leaf.path);
    assert.match(pvc.patch, /argocd\.argoproj\.io\/sync-options: Delete=false,Prune=false/);
  }
});
