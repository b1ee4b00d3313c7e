import { appNames } from '../inventory/app-catalog.ts';
import { readShardFiles, type ShardFileKind } from '../lib/shard-files.ts';
import type { DiffOutcome } from './command.ts';

const text = { type: 'string' } as const;
const texts = { type: 'array', items: text } as const;
const status = { enum: ['added', 'removed', 'changed'] } as const;
const change = { $ref: '#/$defs/change' } as const;
const changes = { type: 'array', items: change } as const;
const breaking = { type: 'array', items: { type: 'object', required: ['resource', 'reason'], properties: { resource: text, reason: text } } } as const;
const resources = { $ref: '#/$defs/resources' } as const;

/** What `diff --format json` writes (DiffOutcome): every field the formats and the merge read, with its type. */
const outcomeSchema = (apps: string[]) => ({
  type: 'object',
  required: ['diff', 'baseCommit', 'head', 'rendered', 'seconds'],
  properties: {
    baseCommit: text,
    head: text,
    rendered: texts,
    seconds: { type: 'number', minimum: 0 },
    diff: {
      type: 'object',
      required: ['environments', 'changed', 'unchanged'],
      properties: { environments: texts, changed: { type: 'array', items: { $ref: '#/$defs/cluster' } }, unchanged: texts },
    },
  },
  $defs: {
    change: { type: 'object', required: ['path'], properties: { path: text } },
    resources: {
      type: 'object',
      required: ['added', 'removed', 'changed', 'labelOnly'],
      properties: {
        added: texts,
        removed: texts,
        labelOnly: texts,
        changed: { type: 'array', items: { type: 'object', required: ['id', 'fields'], properties: { id: text, fields: changes } } },
      },
    },
    app: {
      type: 'object',
      required: ['app', 'status', 'values', 'resources', 'breaking', 'leftBehind'],
      properties: {
        app: { enum: apps },
        status,
        version: { type: 'object', properties: { from: text, to: text } },
        values: changes,
        resources,
        breaking,
        leftBehind: breaking,
      },
    },
    cluster: {
      type: 'object',
      required: ['cluster', 'environment', 'status', 'apps', 'argo'],
      properties: { cluster: text, environment: text, status, apps: { type: 'array', items: { $ref: '#/$defs/app' } }, argo: resources },
    },
  },
});

let outcome: ShardFileKind<DiffOutcome> | undefined;

/** The shards' `--format json` files for `--merge`, each checked before it is read (exit 2 naming a bad one). */
export function readOutcomeFiles(files: string[]): DiffOutcome[] {
  outcome ??= {
    what: 'a diff --format json file',
    fix: 'pass each file that diff --shard I/N --format json --out wrote, once',
    schema: outcomeSchema(appNames()),
    units: (o) => o.rendered,
  };
  return readShardFiles(files, outcome);
}
