import { join } from 'node:path';
import type { Finding } from '../../lib/findings.ts';
import { mergedValues, valuesLayers } from '../../generate/values.ts';
import { formatPath, unknownKeys, type ChartKeys } from '../chart-keys.ts';
import { chartParts, readChartKeys } from '../chart-values.ts';
import type { Check } from '../types.ts';
import { locateValue } from '../values-source.ts';

/**
 * Every key of the merged values that the chart (with its subcharts) neither defines, documents in its
 * values.yaml nor leaves free-form: a typo there is rendered, validated and deployed without a word,
 * because charts ignore keys they do not read (and their values.schema.json, where one exists, allows them).
 */
export const valuesKeysCheck: Check = {
  name: 'values-keys',
  title: 'Every values key is one the chart reads (typos)',
  scope: 'leaf',
  sharedAcrossClusters: true,
  async run(ctx) {
    const keysByChart = new Map<string, ChartKeys>();
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const r of ctx.rendered.filter((x) => x.chartHome)) {
      const chartDir = join(r.chartHome!, r.leaf.pin.chart);
      if (!keysByChart.has(chartDir)) keysByChart.set(chartDir, readChartKeys(chartParts(chartDir, r.leaf.pin.chart)));
      const env = ctx.inventory.environments.find((e) => e.name === r.leaf.cluster.environment)!;
      const layers = valuesLayers(ctx.inventory, env, r.leaf.cluster, r.leaf.app);
      for (const { path, suggestion } of unknownKeys(mergedValues(ctx.inventory, env, r.leaf.cluster, r.leaf.app), keysByChart.get(chartDir)!)) {
        const where = locateValue(ctx, layers, path) ?? { file: `${r.leaf.dir}/values.yaml` };
        const key = `${where.file}:${where.line}:${formatPath(path)}:${r.leaf.pin.version}`;
        if (seen.has(key)) continue; // a base or environment layer is shared by many clusters: say it once
        seen.add(key);
        const parent = path.length > 1 ? formatPath(path.slice(0, -1)) : 'the top level';
        findings.push({
          check: 'values-keys',
          cluster: r.leaf.cluster.name,
          app: r.leaf.app,
          ...where,
          message: `${formatPath(path)} is not a value of chart ${r.leaf.pin.chart} ${r.leaf.pin.version} (nothing under ${parent} reads it)${suggestion ? `; did you mean ${formatPath([...path.slice(0, -1), suggestion])}?` : ''}`,
          hint: suggestion
            ? `rename it to ${suggestion}`
            : `remove it, or check the chart's values.yaml for the key you meant (helm show values ${r.leaf.pin.chart} --version ${r.leaf.pin.version})`,
        });
      }
    }
    return findings;
  },
};
