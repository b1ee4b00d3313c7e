import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Values } from '../inventory/types.ts';
import { mergeValues } from '../lib/merge.ts';

const isMap = (v: unknown): v is Values => v !== null && typeof v === 'object' && !Array.isArray(v);

/** What Helm hands a chart: its defaults under the user's values, with `null` deleting keys. Pure. */
export function coalesce(defaults: Values, user: Values): Values {
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

/** A chart (or subchart) folder with the values its schema must accept. */
export interface ChartValues {
  /** `prometheus` or `prometheus > alertmanager`. */
  name: string;
  schemaPath: string;
  values: Values;
  /** Where these values sit in the parent chart's values ('' for the parent, 'alertmanager' for that subchart). */
  valuesPath: string;
}

function readYaml(path: string): Values {
  return existsSync(path) ? ((parse(readFileSync(path, 'utf8')) as Values | null) ?? {}) : {};
}

/** The parent chart and every enabled subchart that ships a values.schema.json, each with its coalesced values. */
export function chartValuesToCheck(chartDir: string, chartName: string, user: Values): ChartValues[] {
  const values = coalesce(readYaml(join(chartDir, 'values.yaml')), user);
  const found: ChartValues[] = [];
  if (existsSync(join(chartDir, 'values.schema.json'))) found.push({ name: chartName, schemaPath: join(chartDir, 'values.schema.json'), values, valuesPath: '' });
  const charts = join(chartDir, 'charts');
  const dependencies = ((readYaml(join(chartDir, 'Chart.yaml')).dependencies as Values[] | undefined) ?? []);
  for (const sub of existsSync(charts) ? readdirSync(charts, { withFileTypes: true }).filter((e) => e.isDirectory()) : []) {
    const dep = dependencies.find((d) => d.name === sub.name);
    const key = String(dep?.alias ?? sub.name);
    const enabled = (values[key] as Values | undefined)?.enabled;
    if (dep?.condition && enabled === false) continue;
    if (!existsSync(join(charts, sub.name, 'values.schema.json'))) continue;
    const own = { ...((values[key] as Values | undefined) ?? {}) };
    found.push({ name: `${chartName} > ${key}`, schemaPath: join(charts, sub.name, 'values.schema.json'), values: coalesce(readYaml(join(charts, sub.name, 'values.yaml')), own), valuesPath: key });
  }
  return found;
}
