import type { Dashboard, Values } from '../inventory/types.ts';

/** One PromQL expression of a dashboard, and where a person finds it. */
export interface DashboardQuery {
  dashboard: Dashboard;
  where: string;
  expr: string;
}

// biome-ignore lint/suspicious/noExplicitAny: read after its JSON Schema has accepted it, so its shape is known
type Node = Record<string, any>;

/** Every panel, rows' nested panels included. */
function panels(model: Values): Node[] {
  const top = (model.panels as Node[] | undefined) ?? [];
  return top.flatMap((p) => [p, ...((p.panels as Node[] | undefined) ?? [])]);
}

/** The Prometheus queries of a dashboard's panels. Pure. */
export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  return panels(dashboard.model).flatMap((panel) =>
    ((panel.targets as Node[] | undefined) ?? [])
      .filter((t) => typeof t.expr === 'string' && t.expr.trim())
      .map((t) => ({ dashboard, where: `panel '${panel.title ?? panel.id}' query ${t.refId ?? '?'}`, expr: t.expr as string })),
  );
}

/**
 * Replaces Grafana's template variables with values PromQL accepts, so the query can be parsed:
 * interval variables become 5m, other variables a plain word (they usually sit inside a label matcher).
 */
export function substituteVariables(expr: string): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)(_ms|_s)?|\$\{__(rate_interval|interval|range)[^}]*\}/g, '5m')
    .replace(/\[\s*(\$\w+|\$\{\w+[^}]*\}|\[\[\w+\]\])\s*\]/g, '[5m]')
    .replace(/\$\{\w+[^}]*\}|\$\w+|\[\[\w+(:\w+)?\]\]/g, 'x');
}

/** Datasource uids a dashboard refers to (objects `{type, uid}`), except template-variable references. */
export function datasourceUids(dashboard: Dashboard): { uid: string; where: string }[] {
  const found: { uid: string; where: string }[] = [];
  const visit = (node: unknown, where: string) => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n, where);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const obj = node as Node;
    const here = obj.title ? `panel '${obj.title}'` : where;
    const ds = obj.datasource;
    if (ds && typeof ds === 'object' && typeof ds.uid === 'string' && !ds.uid.startsWith('$') && !ds.uid.startsWith('-- '))
      found.push({ uid: ds.uid, where: here });
    for (const [key, value] of Object.entries(obj)) if (key !== 'datasource') visit(value, here);
  };
  visit(dashboard.model, 'dashboard');
  return found;
}

/** uids of the datasources Grafana is provisioned with in merged values. */
export function provisionedDatasourceUids(values: Values): Set<string> {
  const file = (values.datasources as Node | undefined)?.['datasources.yaml'] as Node | undefined;
  return new Set(((file?.datasources as Node[] | undefined) ?? []).flatMap((d) => [d.uid, d.name].filter((x): x is string => typeof x === 'string')));
}
