import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Finding } from '../../lib/findings.ts';
import { run } from '../../lib/exec.ts';
import { appSpec, baseLayout } from '../../inventory/app-catalog.ts';
import { mergedValues } from '../../generate/values.ts';
import { dashboardQueries, datasourceUids, provisionedDatasourceUids, substituteVariables, type DashboardQuery } from '../dashboards.ts';
import { writeDistinct } from '../tool-files.ts';
import type { Check, ValidateContext } from '../types.ts';
import { unlessPassedBefore } from '../passed-before.ts';

/** Every dashboard query parsed by promtool, as recording rules of a scratch rule file (one group per dashboard). */
async function checkQueries(ctx: ValidateContext): Promise<Finding[]> {
  const queries = ctx.inventory.base.dashboards.flatMap(dashboardQueries);
  if (!queries.length) return [];
  const groups = ctx.inventory.base.dashboards
    .map((d, gi) => ({
      name: `dashboard_${gi}`,
      rules: queries.filter((q) => q.dashboard === d).map((q, ri) => ({ record: `dashboard_query_${ri}`, expr: substituteVariables(q.expr) })),
    }))
    .filter((g) => g.rules.length);
  const text = stringify({ groups });
  return unlessPassedBefore(ctx, 'promtool check rules (dashboard queries)', [['dashboards', text]], () => parseQueries(ctx, queries, text));
}

/** promtool over the queries as one rule file; findings name the dashboard and panel of each query that does not parse. */
async function parseQueries(ctx: ValidateContext, queries: DashboardQuery[], text: string): Promise<Finding[]> {
  const [input] = writeDistinct(join(ctx.workDir, 'dashboards'), '.yml', [{ text, owner: 'dashboards' }]);
  const result = await run(ctx.tools.promtool, ['check', 'rules', input!.path]);
  if (result.exitCode === 0) return [];
  const findings: Finding[] = [];
  for (const m of `${result.stderr}\n${result.stdout}`.matchAll(/group "dashboard_(\d+)", rule (\d+), "[^"]*": (.+)/g)) {
    const q: DashboardQuery = queries.filter((x) => x.dashboard === ctx.inventory.base.dashboards[Number(m[1])])[Number(m[2]) - 1]!;
    findings.push({
      check: 'dashboards',
      file: q.dashboard.file,
      message: `${q.where}: PromQL does not parse: ${m[3]}\n    query: ${q.expr}`,
      hint: "fix the expression (try it in Prometheus' expression browser); Grafana variables are replaced by sample values before parsing",
    });
  }
  return findings.length
    ? findings
    : [
        {
          check: 'dashboards',
          file: `${baseLayout().dashboardFolders[0]!.folder}/`,
          message: `promtool rejected the dashboard queries:\n${result.stderr.trim()}`,
        },
      ];
}

/** Datasource uids used by dashboards must be provisioned on every cluster that runs the app showing them (Grafana). */
function checkDatasources(ctx: ValidateContext): Finding[] {
  const findings: Finding[] = [];
  for (const r of ctx.rendered.filter((x) => appSpec(x.leaf.app).dashboards)) {
    const env = ctx.inventory.environments.find((e) => e.name === r.leaf.cluster.environment)!;
    const provisioned = provisionedDatasourceUids(mergedValues(ctx.inventory, env, r.leaf.cluster, r.leaf.app));
    for (const d of ctx.inventory.base.dashboards) {
      for (const ref of datasourceUids(d).filter((x) => !provisioned.has(x.uid))) {
        findings.push({
          check: 'datasources',
          cluster: r.leaf.cluster.name,
          app: r.leaf.app,
          file: d.file,
          message: `${ref.where} uses datasource uid '${ref.uid}', which Grafana is not provisioned with (it has: ${[...provisioned].join(', ') || 'none'})`,
          hint: `use the uid of a datasource in datasources."datasources.yaml" (base/${r.leaf.app}/values.yaml), or add that datasource`,
        });
      }
    }
  }
  return findings;
}

export const dashboardsCheck: Check = {
  name: 'dashboards',
  title: 'Dashboards: PromQL parses',
  scope: 'repository',
  run: checkQueries,
};

/** Per leaf, so that a cluster's result is cached with its other checks. */
export const datasourcesCheck: Check = {
  name: 'datasources',
  title: "Dashboards' datasources are provisioned",
  scope: 'leaf',
  async run(ctx) {
    return checkDatasources(ctx);
  },
};
