import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { convertOpenApi, kindSuffix, schemaFileName } from '../../scripts/catalog/openapi.ts';
import type { JsonSchema } from '../../scripts/catalog/schema.ts';
import { FIXTURES } from '../helpers/repo.ts';

const DRAFT = 'http://json-schema.org/draft-04/schema#';
const readDocument = (): unknown => JSON.parse(readFileSync(join(FIXTURES, 'catalog/openapi.json'), 'utf8'));
const strict = convertOpenApi(readDocument(), { strict: true });
const schemaOf = (path: string): JsonSchema => {
  const file = strict.find((f) => f.path === path);
  assert.ok(file, `no ${path} among ${strict.map((f) => f.path).join(', ')}`);
  return file.schema;
};

test("one file per group/version/kind, named like kubeconform's default template", () => {
  assert.deepEqual(
    strict.map((f) => f.path),
    [
      'clusterrole-rbac-v1.json',
      'customresourcedefinition-apiextensions-v1.json',
      'deleteoptions-apps-v1.json',
      'deleteoptions-v1.json',
      'deployment-apps-v1.json',
      'gadget-metrics-v1.json',
      'service-v1.json',
    ],
  );
  assert.equal(kindSuffix('', 'v1'), '-v1');
  assert.equal(kindSuffix('networking.k8s.io', 'v1'), '-networking-v1');
  assert.equal(schemaFileName({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding' }), 'clusterrolebinding-rbac-v1.json');
});

test('a Deployment: refs inlined, optional fields nullable, closed objects, int-or-string and Quantity', () => {
  assert.deepEqual(schemaOf('deployment-apps-v1.json'), {
    $schema: DRAFT,
    description: 'Deployment enables declarative updates.',
    type: 'object',
    properties: {
      apiVersion: { description: 'APIVersion of the object.', type: 'string', enum: ['apps/v1'] },
      kind: { type: 'string', enum: ['Deployment'] },
      // The referring property's description wins over the definition's.
      metadata: {
        description: "Standard object's metadata.",
        type: ['object', 'null'],
        properties: { name: { type: ['string', 'null'] }, labels: { type: ['object', 'null'], additionalProperties: { type: 'string' } } },
        additionalProperties: false,
      },
      spec: {
        type: ['object', 'null'],
        required: ['selector'],
        properties: {
          replicas: { type: ['integer', 'null'], format: 'int32' },
          selector: {
            description: 'A label selector.',
            type: 'object',
            properties: { matchLabels: { type: ['object', 'null'], additionalProperties: { type: 'string' } } },
            'x-kubernetes-map-type': 'atomic',
            additionalProperties: false,
          },
          maxSurge: { description: 'IntOrString holds an int32 or a string.', oneOf: [{ type: 'string' }, { type: 'integer' }, { type: 'null' }] },
          limits: {
            type: ['object', 'null'],
            additionalProperties: { description: 'Quantity is a fixed-point number.', oneOf: [{ type: 'string' }, { type: 'number' }] },
          },
          containers: {
            type: ['array', 'null'],
            items: {
              type: 'object',
              required: ['name'],
              properties: { name: { type: 'string' }, args: { type: ['array', 'null'], items: { type: 'string' } } },
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  });
});

test('a core-group Service: apiVersion v1, a required port stays non-null, targetPort is int-or-string', () => {
  assert.deepEqual(schemaOf('service-v1.json'), {
    $schema: DRAFT,
    type: 'object',
    properties: {
      apiVersion: { type: 'string', enum: ['v1'] },
      kind: { type: 'string', enum: ['Service'] },
      metadata: {
        description: 'ObjectMeta is metadata.',
        type: ['object', 'null'],
        properties: { name: { type: ['string', 'null'] }, labels: { type: ['object', 'null'], additionalProperties: { type: 'string' } } },
        additionalProperties: false,
      },
      spec: {
        type: ['object', 'null'],
        properties: {
          ports: {
            type: ['array', 'null'],
            items: {
              type: 'object',
              required: ['port'],
              properties: {
                port: { type: 'integer', format: 'int32' },
                targetPort: { description: 'Number or name of the port.', oneOf: [{ type: 'string' }, { type: 'integer' }, { type: 'null' }] },
              },
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  });
});

test('a multi-label group: apiVersion and kind pinned (added when missing), empty required dropped for draft-04', () => {
  assert.deepEqual(schemaOf('clusterrole-rbac-v1.json'), {
    $schema: DRAFT,
    type: 'object',
    properties: {
      apiVersion: { type: 'string', enum: ['rbac.authorization.k8s.io/v1'] },
      kind: { type: 'string', enum: ['ClusterRole'] },
      rules: {
        type: ['array', 'null'],
        items: { type: 'object', properties: { verbs: { type: ['array', 'null'], items: { type: 'string' } } }, additionalProperties: false },
      },
    },
    additionalProperties: false,
  });
});

test('a recursive definition is expanded once; a property named $ref is not a reference', () => {
  assert.deepEqual(schemaOf('customresourcedefinition-apiextensions-v1.json'), {
    $schema: DRAFT,
    type: 'object',
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string', enum: ['apiextensions.k8s.io/v1'] },
      kind: { type: 'string', enum: ['CustomResourceDefinition'] },
      spec: {
        type: 'object',
        properties: {
          schema: {
            description: 'JSONSchemaProps is a JSON-Schema following Specification Draft 4.',
            type: ['object', 'null'],
            properties: {
              $ref: { type: ['string', 'null'] },
              type: { type: ['string', 'null'] },
              not: {},
              properties: { type: ['object', 'null'], additionalProperties: {} },
              'x-kubernetes-preserve-unknown-fields': { type: ['boolean', 'null'] },
            },
            additionalProperties: false,
          },
        },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  });
});

test('a definition listing several kinds gets one file per kind, each pinned to its own apiVersion', () => {
  const core = schemaOf('deleteoptions-v1.json').properties as JsonSchema;
  const apps = schemaOf('deleteoptions-apps-v1.json').properties as JsonSchema;
  assert.deepEqual(core.apiVersion, { type: 'string', enum: ['v1'] });
  assert.deepEqual(apps.apiVersion, { type: 'string', enum: ['apps/v1'] });
  assert.deepEqual(apps.kind, { type: 'string', enum: ['DeleteOptions'] });
  assert.deepEqual(apps.dryRun, { type: ['array', 'null'], items: { type: 'string' } });
  assert.equal('x-kubernetes-group-version-kind' in schemaOf('deleteoptions-v1.json'), false);
});

test('x-kubernetes-preserve-unknown-fields keeps an object open; of two kinds sharing a file name the first definition wins', () => {
  assert.deepEqual(schemaOf('gadget-metrics-v1.json'), {
    $schema: DRAFT,
    type: 'object',
    properties: {
      apiVersion: { type: 'string', enum: ['metrics.example.io/v1'] },
      kind: { type: 'string', enum: ['Gadget'] },
      settings: { type: ['object', 'null'], properties: { mode: { type: ['string', 'null'] } }, 'x-kubernetes-preserve-unknown-fields': true },
    },
    additionalProperties: false,
  });
});

test('without strict, objects stay open', () => {
  const loose = convertOpenApi(readDocument(), { strict: false });
  const text = JSON.stringify(loose.map((f) => f.schema));
  assert.equal(text.includes('"additionalProperties":false'), false);
  const deployment = loose.find((f) => f.path === 'deployment-apps-v1.json')?.schema.properties as JsonSchema;
  assert.deepEqual((deployment.metadata as JsonSchema).type, ['object', 'null']);
});

test('the input document is not modified', () => {
  const document = readDocument();
  const before = JSON.stringify(document);
  convertOpenApi(document, { strict: true });
  assert.equal(JSON.stringify(document), before);
});

test('a document without definitions is refused with a reason', () => {
  assert.throws(() => convertOpenApi({ openapi: '3.0.0', components: {} }, { strict: true }), /not an OpenAPI v2 document/);
  assert.throws(
    () =>
      convertOpenApi(
        { definitions: { A: { $ref: '#/definitions/B', 'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'A' }] } } },
        { strict: true },
      ),
    /unresolvable reference #\/definitions\/B/,
  );
});
