import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Finding } from '../../lib/findings.ts';
import { mergedValues } from '../../generate/values.ts';
import { chartValuesToCheck } from '../chart-values.ts';
import type { Check } from '../types.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Compiles a chart's values.schema.json the way Helm reads it: loosely (charts use keywords ajv's strict mode rejects). */
function compileChartSchema(schemaText: string): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
  addFormats(ajv);
  const schema = JSON.parse(schemaText);
  delete schema.$schema; // draft-07 and 2019-09/2020-12 charts alike: validate the keywords, ignore the dialect tag
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
      for (const chart of chartValuesToCheck(join(r.chartHome!, r.leaf.pin.chart), r.leaf.pin.chart, user)) {
        if (!compiled.has(chart.schemaPath)) compiled.set(chart.schemaPath, compileChartSchema(readFileSync(chart.schemaPath, 'utf8')));
        const validate = compiled.get(chart.schemaPath)!;
        if (validate(chart.values)) continue;
        for (const e of validate.errors ?? []) {
          const path = [chart.valuesPath, e.instancePath.slice(1).replaceAll('/', '.')].filter(Boolean).join('.') || '(top level)';
          const extra = e.params && 'additionalProperty' in e.params ? ` ('${e.params.additionalProperty}')` : '';
          findings.push({
            check: 'values-schema', cluster: r.leaf.cluster.name, app: r.leaf.app, file: `${r.leaf.dir}/values.yaml`,
            message: `${path} ${e.message}${extra} (values.schema.json of ${chart.name} ${r.leaf.pin.version})`,
            hint: `fix ${path} in the values layer that sets it (base/${r.leaf.app}/values.yaml, overlays/${r.leaf.cluster.environment}/${r.leaf.app}.values.yaml or ${r.leaf.cluster.file})`,
          });
        }
      }
    }
    return findings;
  },
};
