import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  closest,
  commentedKeys,
  formatPath,
  pathKey,
  schemaFreeForm,
  templateFreeForm,
  templateReads,
  unknownKeys,
} from '../../scripts/validate/chart-keys.ts';

const valuesYaml = `server:
  retention: "15d"
  persistentVolume:
    enabled: true
    ## A prose line: size: is not a key
    # storageClass: "-"
    # existingClaim: ""
  resources: {}
  global:
    scrape_interval: 1m
# extraObjects:
#   - apiVersion: v1
`;

test('keys shown only as commented examples count as the chart documents them', () => {
  const documented = commentedKeys(valuesYaml);
  assert.ok(documented.has(pathKey(['server', 'persistentVolume', 'storageClass'])));
  assert.ok(documented.has(pathKey(['server', 'persistentVolume', 'existingClaim'])));
  assert.ok(documented.has(pathKey(['extraObjects'])));
  assert.ok(!documented.has(pathKey(['server', 'persistentVolume', 'size'])), 'a ## prose line is no key');
});

test('maps templates hand over whole are free-form', () => {
  const free = templateFreeForm([
    '{{- toYaml .Values.server.podAnnotations | nindent 4 }}',
    '{{ $root.Values.server.global | toYaml | indent 6 }}',
    '{{- range $key, $value := .Values.serverFiles }}',
    '{{- $config := omit .Values.config "enabled" }}',
    '{{- range $elem, $elemVal := index .Values "grafana.ini" }}',
    '{{ if (index .Values "alertmanager" "enabled") }}',
    '{{- with .Values.server.strategy }}\n  strategy:\n    {{- toYaml . | nindent 4 }}',
  ]);
  for (const path of [['server', 'podAnnotations'], ['server', 'global'], ['serverFiles'], ['config'], ['grafana.ini'], ['server', 'strategy']]) {
    assert.ok(free.has(pathKey(path)), formatPath(path));
  }
  assert.ok(!free.has(pathKey(['alertmanager'])), 'reading one key through index does not free the map');
});

test('open objects of a values schema are free-form', () => {
  const free = schemaFreeForm({
    properties: {
      server: { type: 'object', properties: { resources: { type: 'object' }, labels: { type: 'object', additionalProperties: { type: 'string' } } } },
    },
  });
  assert.deepEqual([...free].sort(), [pathKey(['server', 'labels']), pathKey(['server', 'resources'])].sort());
});

test('unknown keys are found with a suggestion; free-form, documented and null keys are not', () => {
  const keys = {
    defaults: {
      server: { retention: '15d', persistentVolume: { enabled: true }, resources: {}, global: { scrape_interval: '1m' }, existing: null },
      serverFiles: { 'alerting_rules.yml': {} },
      sub: { enabled: true, image: { tag: '' } },
    },
    documented: commentedKeys(valuesYaml),
    freeForm: new Set([pathKey(['server', 'global'])]),
  };
  const user = {
    server: {
      retenion: '30d',
      persistentVolume: { storageClass: 'x', enabld: false },
      resources: { limits: { cpu: 1 } },
      global: { external_labels: { a: 'b' } },
      existing: 'y',
    },
    serverFiles: { 'custom.yml': { groups: [] } },
    sub: { image: { tga: '1' } },
    global: { anything: true },
    tpyo: 1,
  };
  assert.deepEqual(
    unknownKeys(user, keys).map((u) => `${formatPath(u.path)}→${u.suggestion ?? '-'}`),
    ['server.retenion→retention', 'server.persistentVolume.enabld→enabled', 'sub.image.tga→tag', 'tpyo→-'],
  );
});

test('suggestions stay close', () => {
  assert.equal(closest('retenion', ['retention', 'replicaCount']), 'retention');
  assert.equal(closest('image', ['ingress', 'persistence']), undefined);
});

test('a key the templates read counts though values.yaml leaves it out (the blackbox chart reads fullnameOverride in _helpers.tpl)', () => {
  const read = templateReads(['{{- if .Values.fullnameOverride }}{{- .Values.fullnameOverride | trunc 63 }}', '{{ .Values.pod.labels.team }}']);
  assert.deepEqual([...read].sort(), [pathKey(['fullnameOverride']), pathKey(['pod']), pathKey(['pod', 'labels']), pathKey(['pod', 'labels', 'team'])].sort());
  const keys = { defaults: { config: {} }, documented: new Set<string>(), freeForm: new Set<string>(), read };
  assert.deepEqual(unknownKeys({ fullnameOverride: 'blackbox', pod: { labels: { team: 'x' } } }, keys), []);
  assert.deepEqual(
    unknownKeys({ fulnameOverride: 'blackbox' }, keys).map((k) => k.path),
    [['fulnameOverride']],
    'a key nothing reads is still found',
  );
});
