import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import type { Values } from '../inventory/types.ts';
import { mergeValues } from '../lib/merge.ts';
import { commentedKeys, pathKey, schemaFreeForm, templateFreeForm, templateReads, type ChartKeys, type KeyPath } from './chart-keys.ts';
import { isMap } from '../lib/values.ts';

/** What Helm hands a chart: its defaults under the user's values, with `null` deleting keys. Pure. */
function coalesce(defaults: Values, user: Values): Values {
  return dropNulls(mergeValues(defaults, user));
}

function dropNulls(values: Values): Values {
  const out: Values = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === null) continue;
    out[key] = isMap(value) ? dropNulls(value) : value;
  }
  return out;
}

/** One chart of a chart tree: the parent ('' key) or a subchart under its key (alias or name). */
interface ChartPart {
  /** `prometheus` or `prometheus > alertmanager`. */
  name: string;
  dir: string;
  /** Where its values sit in the parent's values ([] for the parent, ['alertmanager'] for that subchart). */
  valuesPath: KeyPath;
  /** The dependency's `condition` key is false in the user's values: Helm renders nothing of it. */
  conditional: boolean;
}

const parsed = new Map<string, Values>();

/** A chart file as data, parsed once per process: cached charts never change (their folder is keyed by version). */
function readYaml(path: string): Values {
  let values = parsed.get(path);
  if (!values) {
    values = existsSync(path) ? ((parse(readFileSync(path, 'utf8')) as Values | null) ?? {}) : {};
    parsed.set(path, values);
  }
  return values;
}

/**
 * The chart and its subcharts (folders under charts/, or archives there, unpacked once beside the
 * chart in the toolkit's cache, outside the chart itself so helm never sees them twice).
 */
export function chartParts(chartDir: string, chartName: string): ChartPart[] {
  const parts: ChartPart[] = [{ name: chartName, dir: chartDir, valuesPath: [], conditional: false }];
  const charts = join(chartDir, 'charts');
  const dependencies = (readYaml(join(chartDir, 'Chart.yaml')).dependencies as Values[] | undefined) ?? [];
  for (const entry of existsSync(charts) ? readdirSync(charts, { withFileTypes: true }) : []) {
    const dir = entry.isDirectory() ? join(charts, entry.name) : entry.name.endsWith('.tgz') ? unpackedSubchart(chartDir, join(charts, entry.name)) : undefined;
    if (!dir) continue;
    const name = String(readYaml(join(dir, 'Chart.yaml')).name ?? entry.name);
    const dep = dependencies.find((d) => d.name === name);
    parts.push({ name: `${chartName} > ${String(dep?.alias ?? name)}`, dir, valuesPath: [String(dep?.alias ?? name)], conditional: Boolean(dep?.condition) });
  }
  return parts;
}

function unpackedSubchart(chartDir: string, archive: string): string {
  const target = join(chartDir, '..', '.subcharts', relative(join(chartDir, 'charts'), archive).replace(/\.tgz$/, ''));
  if (!existsSync(target)) {
    const staging = `${target}.partial-${process.pid}`;
    mkdirSync(staging, { recursive: true });
    execFileSync('tar', ['-xzf', archive, '-C', staging]);
    renameSync(staging, target);
  }
  const [inner] = readdirSync(target).filter((e) => statSync(join(target, e)).isDirectory());
  return inner ? join(target, inner) : target;
}

/** A part's values as Helm computes them for it: its defaults under the parent's values at its key. */
export function partValues(part: ChartPart, parentValues: Values): Values {
  const own = part.valuesPath.length ? ((parentValues[part.valuesPath[0]!] as Values | undefined) ?? {}) : parentValues;
  return coalesce(readYaml(join(part.dir, 'values.yaml')), own);
}

/** Whether Helm renders the part: a subchart with a condition is off when its `enabled` is false. */
export function partEnabled(part: ChartPart, parentValues: Values): boolean {
  return !part.conditional || (parentValues[part.valuesPath[0]!] as Values | undefined)?.enabled !== false;
}

function templatesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of existsSync(d) ? readdirSync(d, { withFileTypes: true }) : []) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (/\.(ya?ml|tpl|txt|json)$/.test(e.name)) out.push(readFileSync(join(d, e.name), 'utf8'));
    }
  };
  walk(join(dir, 'templates'));
  return out;
}

const prefixed = (prefix: KeyPath, keys: Set<string>) => new Set([...keys].map((k) => pathKey([...prefix, ...(JSON.parse(k) as KeyPath)])));

/** Both maps' keys, deeply; unlike a values merge, a null default stays a key the chart knows. */
function union(a: Values, b: Values): Values {
  const out: Values = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isMap(out[k]) && isMap(v) ? union(out[k] as Values, v) : k in out && !isMap(v) ? out[k] : v;
  return out;
}

/** What the whole chart tree accepts: every part's defaults, commented keys, free-form maps, under its key. */
export function readChartKeys(parts: ChartPart[]): ChartKeys {
  let defaults: Values = {};
  const documented = new Set<string>();
  const freeForm = new Set<string>();
  const read = new Set<string>();
  for (const part of parts) {
    const values = readYaml(join(part.dir, 'values.yaml'));
    const schemaPath = join(part.dir, 'values.schema.json');
    defaults = union(
      defaults,
      part.valuesPath.reduceRight<Values>((v, k) => ({ [k]: v }), values),
    );
    const text = existsSync(join(part.dir, 'values.yaml')) ? readFileSync(join(part.dir, 'values.yaml'), 'utf8') : '';
    for (const k of prefixed(part.valuesPath, commentedKeys(text))) documented.add(k);
    const templates = templatesOf(part.dir);
    for (const k of prefixed(part.valuesPath, templateFreeForm(templates))) freeForm.add(k);
    for (const k of prefixed(part.valuesPath, templateReads(templates))) read.add(k);
    if (existsSync(schemaPath)) for (const k of schemaFreeForm(JSON.parse(readFileSync(schemaPath, 'utf8')), part.valuesPath)) freeForm.add(k);
  }
  return { defaults, documented, freeForm, read };
}
