import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { crdFileName, crdSchemas } from '../../scripts/catalog/crd.ts';
import type { JsonSchema } from '../../scripts/catalog/schema.ts';
import { FIXTURES } from '../helpers/repo.ts';

const DRAFT = 'http://json-schema.org/draft-04/schema#';
const readCrd = (): JsonSchema => parse(readFileSync(join(FIXTURES, 'catalog/crd-widget.yaml'), 'utf8')) as JsonSchema;
const INT_OR_STRING = [{ type: 'string' }, { type: 'integer' }];

test('one schema per served version with a schema, at <group>/<kind>_<version>.json', () => {
  assert.deepEqual(
    crdSchemas(readCrd(), { strict: true }).map((f) => f.path),
    ['monitoring.example.io/widget_v1.json', 'monitoring.example.io/widget_v2.json'],
  );
  assert.equal(crdFileName({ group: 'argoproj.io', version: 'v1alpha1', kind: 'AppProject' }), 'argoproj.io/appproject_v1alpha1.json');
});

test('the strict schema: closed objects, pinned apiVersion/kind, open metadata, int-or-string, nullable optionals', () => {
  const [v1] = crdSchemas(readCrd(), { strict: true });
  assert.deepEqual(v1?.schema, {
    $schema: DRAFT,
    description: 'A Widget.',
    type: 'object',
    required: ['spec'],
    properties: {
      apiVersion: { description: 'APIVersion of the object.', type: 'string', enum: ['monitoring.example.io/v1'] },
      kind: { type: 'string', enum: ['Widget'] },
      // The API server checks metadata itself; the CRD may only narrow it, so it is not closed.
      metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } },
      spec: {
        type: 'object',
        required: ['size', 'note'],
        properties: {
          size: { 'x-kubernetes-int-or-string': true, pattern: '^\\d+%?$', oneOf: INT_OR_STRING },
          note: { type: ['string', 'null'], nullable: true },
          mode: { type: ['string', 'null'], enum: ['fast', 'slow', null] },
          values: { type: ['object', 'null'], 'x-kubernetes-preserve-unknown-fields': true },
          options: {
            type: ['object', 'null'],
            'x-kubernetes-preserve-unknown-fields': true,
            properties: { level: { type: ['integer', 'null'] } },
            // Junctor branches only add value checks: left as written, never closed.
            anyOf: [{ properties: { level: { minimum: 1 } } }, { required: ['level'] }],
          },
          template: {
            type: ['object', 'null'],
            'x-kubernetes-embedded-resource': true,
            properties: {
              apiVersion: { type: ['string', 'null'] },
              kind: { type: ['string', 'null'] },
              metadata: { type: ['object', 'null'] },
              spec: { type: ['object', 'null'], properties: { replicas: { type: ['integer', 'null'] } }, additionalProperties: false },
            },
            additionalProperties: false,
          },
          ports: {
            type: ['array', 'null'],
            items: {
              type: 'object',
              properties: { port: { 'x-kubernetes-int-or-string': true, nullable: true, oneOf: [...INT_OR_STRING, { type: 'null' }] } },
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
      status: { type: ['object', 'null'], properties: { phase: { type: ['string', 'null'] } }, additionalProperties: false },
    },
    additionalProperties: false,
  });
});

test("apiVersion, kind and metadata are added when a version's schema does not list them", () => {
  const v2 = crdSchemas(readCrd(), { strict: true })[1];
  assert.deepEqual(v2?.schema, {
    $schema: DRAFT,
    type: 'object',
    properties: {
      apiVersion: { type: 'string', enum: ['monitoring.example.io/v2'] },
      kind: { type: 'string', enum: ['Widget'] },
      spec: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
      metadata: { type: 'object' },
    },
    additionalProperties: false,
  });
});

test('without strict, nothing is closed', () => {
  const text = JSON.stringify(crdSchemas(readCrd(), { strict: false }).map((f) => f.schema));
  assert.equal(text.includes('"additionalProperties":false'), false);
  assert.equal(text.includes('"enum":["monitoring.example.io/v1"]'), true);
});

test('anything but an apiextensions.k8s.io/v1 CRD yields no schema, and the input is not modified', () => {
  const crd = readCrd();
  const before = JSON.stringify(crd);
  crdSchemas(crd, { strict: true });
  assert.equal(JSON.stringify(crd), before);
  assert.deepEqual(crdSchemas({ ...crd, apiVersion: 'apiextensions.k8s.io/v1beta1' }, { strict: true }), []);
  assert.deepEqual(crdSchemas({ apiVersion: 'v1', kind: 'ConfigMap' }, { strict: true }), []);
  assert.deepEqual(crdSchemas(null, { strict: true }), []);
});
