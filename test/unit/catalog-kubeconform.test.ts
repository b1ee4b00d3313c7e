import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { countValidated, parseKubeconformOutput } from '../../scripts/catalog/kubeconform.ts';
import { FIXTURES } from '../helpers/repo.ts';

// A real `kubeconform -strict -output json -summary -verbose` report (v0.7.0), in the order its workers finished.
const report = readFileSync(join(FIXTURES, 'catalog/kubeconform-report.json'), 'utf8');

test('every resource becomes a result, sorted by file, apiVersion, kind and name', () => {
  const results = parseKubeconformOutput(report);
  assert.deepEqual(
    results.map((r) => `${r.file} ${r.apiVersion} ${r.kind}/${r.name} ${r.status}`),
    [
      'a.yaml apps/v1 Deployment/web valid',
      'a.yaml v1 Service/web valid',
      'b.yaml apps/v1 Deployment/bad invalid',
      'b.yaml argoproj.io/v1alpha1 Application/x invalid',
      'b.yaml policy/v1beta1 PodDisruptionBudget/pdb missing-schema',
      'b.yaml v1 Service/bad invalid',
      'c.yaml v1 ConfigMap/skipped skipped',
      'c.yaml v1 Secret/dup2 error',
    ],
  );
});

test('validation errors keep their path into the resource; other errors keep the message', () => {
  const results = parseKubeconformOutput(report);
  const find = (kind: string, name: string) => results.find((r) => r.kind === kind && r.name === name);
  assert.deepEqual(find('Deployment', 'bad')?.errors, [{ path: '/spec/template/spec', message: "additional properties 'bogusField' not allowed" }]);
  assert.deepEqual(find('Service', 'bad')?.errors, [{ path: '/spec/ports/0/port', message: 'got string, want integer' }]);
  assert.equal(find('PodDisruptionBudget', 'pdb')?.message, 'could not find schema for PodDisruptionBudget');
  assert.match(find('Secret', 'dup2')?.message ?? '', /key "name" already set in map/);
  assert.deepEqual(find('Service', 'web')?.errors, []);
});

test('only valid and invalid resources count as validated, so an empty run is visible', () => {
  assert.equal(countValidated(parseKubeconformOutput(report)), 5);
  assert.equal(countValidated(parseKubeconformOutput('{"resources":[],"summary":{"valid":0,"invalid":0,"errors":0,"skipped":0}}')), 0);
});

test('output that is not a kubeconform JSON report is refused', () => {
  assert.throws(() => parseKubeconformOutput('flag provided but not defined: -bogus'), SyntaxError);
  assert.throws(() => parseKubeconformOutput('{"summary":{}}'), /no "resources" list/);
});
