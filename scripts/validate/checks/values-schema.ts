import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Finding } from '../../lib/findings.ts';
import { mergedValues } from '../../generate/values.ts';
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

/** Merged values of each leaf against its chart's values.schema.json, when the chart ships one. */
export const valuesSchemaCheck: Check = {
  name: 'values-schema',
  title: "Merged values against the chart's values.schema.json",
  scope: 'leaf',
  async run(ctx) {
    const compiled = new Map<string, ValidateFunction | null>();
    const findings: Finding[] = [];
    for (const r of ctx.rendered) {
      if (!r.chartHome) continue;
      const schemaPath = join(r.chartHome, r.leaf.pin.chart, 'values.schema.json');
      if (!compiled.has(schemaPath)) compiled.set(schemaPath, existsSync(schemaPath) ? compileChartSchema(readFileSync(schemaPath, 'utf8')) : null);
      const validate = compiled.get(schemaPath);
      if (!validate) continue;
      const env = ctx.inventory.environments.find((e) => e.name === r.leaf.cluster.environment)!;
      if (validate(mergedValues(ctx.inventory, env, r.leaf.cluster, r.leaf.app))) continue;
      for (const e of validate.errors ?? []) {
        const path = e.instancePath.slice(1).replaceAll('/', '.') || '(top level)';
        findings.push({
          check: 'values-schema', cluster: r.leaf.cluster.name, app: r.leaf.app, file: `${r.leaf.dir}/values.yaml`,
          message: `${path} ${e.message}${e.params && 'additionalProperty' in e.params ? ` ('${e.params.additionalProperty}')` : ''} (chart ${r.leaf.pin.chart} ${r.leaf.pin.version} values.schema.json)`,
          hint: `fix ${path} in the values layer that sets it (base/${r.leaf.app}/values.yaml, overlays/${r.leaf.cluster.environment}/${r.leaf.app}.values.yaml or ${r.leaf.cluster.file})`,
        });
      }
    }
    return findings;
  },
};
