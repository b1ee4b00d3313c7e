import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { treeHash } from '../../scripts/fleet/external-secrets-build.ts';
import { externalSecretsArgs, startedControllers } from '../../scripts/fleet/external-secrets.ts';
import { copyTree } from '../../scripts/lib/go-module.ts';
import { readToolPins } from '../../scripts/tools/pins.ts';
import { PROJECT_ROOT, tempRepo } from '../helpers/repo.ts';

test("the controller counts as started once controller-runtime's JSON log says each reconciler started its workers", () => {
  const line = (msg: string, controller?: string) => JSON.stringify({ level: 'info', msg, ...(controller ? { controller } : {}) });
  const log = [
    line('starting manager'),
    line('Starting EventSource', 'externalsecret'),
    line('Starting workers', 'secretstore'),
    'not json at all',
    line('Starting workers', 'externalsecret'),
    '{"level":"info","msg":"Starting workers","controller":"clustersec', // torn: still being written
  ].join('\n');
  assert.deepEqual([...startedControllers(log)].sort(), ['externalsecret', 'secretstore']);
  assert.deepEqual(externalSecretsArgs('/k/config'), ['--kubeconfig', '/k/config', '--zap-encoder=json', '--zap-log-level=info']);
});

test('the overlay holds the main package the pin names and keys the cache folder by its content', async () => {
  const pin = readToolPins().fleet.externalSecrets;
  const overlay = join(PROJECT_ROOT, pin.overlay);
  assert.match(readFileSync(join(overlay, pin.package, 'main.go'), 'utf8'), /^package main$/m);
  const copy = await tempRepo({ 'a/b.go': 'package b\n' });
  const before = treeHash(copy);
  writeFileSync(join(copy, 'a/b.go'), 'package b // changed\n');
  assert.notEqual(treeHash(copy), before);
});

test('laying an overlay over a copy of the read-only module cache replaces its files', async () => {
  const module = await tempRepo({ 'pkg/register/register.go': 'upstream\n', 'go.mod': 'module x\n' });
  chmodSync(join(module, 'pkg/register/register.go'), 0o444);
  const overlay = await tempRepo({ 'pkg/register/register.go': 'ours\n', 'cmd/main/main.go': 'package main\n' });
  const copy = join(await tempRepo(), 'module');
  copyTree(module, copy);
  copyTree(overlay, copy);
  assert.equal(readFileSync(join(copy, 'pkg/register/register.go'), 'utf8'), 'ours\n');
  assert.equal(readFileSync(join(copy, 'cmd/main/main.go'), 'utf8'), 'package main\n');
  assert.equal(readFileSync(join(copy, 'go.mod'), 'utf8'), 'module x\n');
});
