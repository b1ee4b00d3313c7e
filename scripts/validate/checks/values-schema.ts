import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Finding } from '../../lib/findings.ts';
import { mergedValues } from '../../generate/values.ts';
import { chartParts, partEnabled, partValues } from '../chart-values.ts';
import type { Check } from '../types.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** The ajv class for the dialect a schema declares (Helm 4 validates with that draft; draft-07 when none). */
function ajvFor(dialect: unknown): typeof Ajv {
  if (typeof dialect === 'string' && dialect.includes('2020-12')) return Ajv2020 as unknown as typeof Ajv;
  if (typeof dialect === 'string' && dialect.includes('2019-09')) return Ajv2019 as unknown as typeof Ajv;
  return Ajv;
}

/** Compiles a chart's values.schema.json loosely (charts use keywords ajv's strict mode rejects), in its own draft. */
function compileChartSchema(schemaText: string): ValidateFunction {
  const schema = JSON.parse(schemaText);
  const AjvClass = ajvFor(schema.$schema);
  const ajv = new AjvClass({ allErrors: true, strict: false, validateSchema: false });
  addFormats(ajv);
  delete schema.$schema; // the class already speaks that draft; ajv would otherwise look the meta-schema up
  return ajv.compile(schema);
}

/** Merged values of each leaf, coalesced with the chart defaults as Helm does, against the chart's and enabled subcharts' values.schema.json. */
export const valuesSchemaCheck: Check = {
  name: 'values-schema',
  title: "Merged values against the chart's values.schema.json",
  scope: 'leaf',
  async run(ctx) {
    const compiled = new Map<string, ValidateFunction>();
    const findings: Finding[] = [];
    for (const r of ctx.rendered.filter((x) => x.chartHome)) {
      const env = ctx.inventory.environments.find((e) => e.name === r.leaf.cluster.environment)!;
      const user = mergedValues(ctx.inventory, env, r.leaf.cluster, r.leaf.app);
      const parts = chartParts(join(r.chartHome!, r.leaf.pin.chart), r.leaf.pin.chart);
      const parentValues = partValues(parts[0]!, user);
      for (const chart of parts.filter((p) => existsSync(join(p.dir, 'values.schema.json')) && partEnabled(p, parentValues))) {
        const schemaPath = join(chart.dir, 'values.schema.json');
        if (!compiled.has(schemaPath)) compiled.set(schemaPath, compileChartSchema(readFileSync(schemaPath, 'utf8')));
        const validate = compiled.get(schemaPath)!;
        if (validate(chart.valuesPath.length ? partValues(chart, parentValues) : parentValues)) continue;
        for (const e of validate.errors ?? []) {
          const path = [...chart.valuesPath, e.instancePath.slice(1).replaceAll('/', '.')].filter(Boolean).join('.') || '(top level)';
          const extra = e.params && 'additionalProperty' in e.params ? ` ('${e.params.additionalProperty}')` : '';
          findings.push({
            check: 'values-schema',
            cluster: r.leaf.cluster.name,
            app: r.leaf.app,
            file: `${r.leaf.dir}/values.yaml`,
            message: `${path} ${e.message}${extra} (values.schema.json of ${chart.name} ${r.leaf.pin.version})`,
            hint: `fix ${path} in the values layer that sets it (base/${r.leaf.app}/values.yaml, overlays/${r.leaf.cluster.environment}/${r.leaf.app}.values.yaml or ${r.leaf.cluster.file})`,
          });
        }
      }
    }
    return findings;
  },
};
