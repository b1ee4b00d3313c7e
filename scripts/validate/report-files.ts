import { readShardFiles, type ShardFileKind } from '../lib/shard-files.ts';
import type { ReportData } from './report.ts';

const text = { type: 'string' } as const;
const texts = { type: 'array', items: text } as const;
const count = { type: 'integer', minimum: 0 } as const;
const position = { type: 'integer', minimum: 0 } as const;

/** A finding as `--json` writes it (lib/findings.ts). */
const FINDING = {
  type: 'object',
  required: ['file', 'message'],
  properties: { file: text, line: position, column: position, message: text, hint: text, check: text, cluster: text, app: text, resource: text },
} as const;

/** What `validate --json` writes (ReportData): every field the formats read, with its type. */
const REPORT_SCHEMA = {
  type: 'object',
  required: ['ok', 'seconds', 'checks', 'leaves', 'skippedClusters', 'notes', 'findings'],
  properties: {
    ok: { type: 'boolean' },
    seconds: { type: 'number', minimum: 0 },
    checks: {
      type: 'array',
      items: { type: 'object', required: ['name', 'title', 'scope'], properties: { name: text, title: text, scope: { enum: ['leaf', 'repository'] } } },
    },
    leaves: {
      type: 'array',
      items: {
        type: 'object',
        required: ['cluster', 'environment', 'app', 'resources', 'results'],
        properties: { cluster: text, environment: text, app: text, resources: count, results: { type: 'object', additionalProperties: count } },
      },
    },
    skippedClusters: texts,
    notes: texts,
    findings: { type: 'array', items: FINDING },
  },
} as const;

const REPORT: ShardFileKind<ReportData> = {
  what: 'a validate --json report',
  fix: 'pass each file that validate --shard I/N --json wrote, once',
  schema: REPORT_SCHEMA,
  units: (report) => report.leaves.map((l) => `${l.cluster}/${l.app}`),
};

/** The shards' `--json` reports for `--merge`, each checked before it is read (exit 2 naming a bad one). */
export function readReportFiles(files: string[]): ReportData[] {
  return readShardFiles(files, REPORT);
}
