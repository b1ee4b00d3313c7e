import { isMap } from '../../../scripts/lib/values.ts';

/** One query of one dashboard panel. Pure data read from the dashboard JSON. */
export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
}

/** A query variable (`label_values(metric, label)`) and how Grafana turns its selection into text. */
export interface QueryVariable {
  name: string;
  metric: string;
  label: string;
  multi: boolean;
  includeAll: boolean;
  allValue?: string;
}

type Json = Record<string, unknown>;
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isMap) : []);

/** Every Prometheus query of every panel, rows' nested panels included. */
export function panelQueries(dashboard: Json, name: string): PanelQuery[] {
  const panels = list(dashboard.panels).flatMap((p) => [p, ...list(p.panels)]);
  return panels.flatMap((p) =>
    list(p.targets)
      .filter((t) => typeof t.expr === 'string' && t.expr !== '')
      .map((t) => ({ dashboard: name, panel: String(p.title ?? p.id ?? '?'), refId: String(t.refId ?? 'A'), expr: String(t.expr) })),
  );
}

/** The dashboard's `label_values(…)` query variables; any other variable is returned in `unsupported`. */
export function queryVariables(dashboard: Json): { variables: QueryVariable[]; unsupported: string[] } {
  const variables: QueryVariable[] = [];
  const unsupported: string[] = [];
  for (const v of list(isMap(dashboard.templating) ? dashboard.templating.list : [])) {
    const query = isMap(v.query) ? String(v.query.query ?? '') : String(v.query ?? '');
    const m = /^label_values\(\s*(.+?)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$/.exec(query);
    if (v.type !== 'query' || !m) {
      if (v.type !== 'datasource' && v.type !== 'interval' && v.type !== 'constant') unsupported.push(`${String(v.name)} (${String(v.type)}: ${query})`);
      continue;
    }
    variables.push({
      name: String(v.name),
      metric: m[1]!,
      label: m[2]!,
      multi: v.multi === true,
      includeAll: v.includeAll === true,
      ...(typeof v.allValue === 'string' && v.allValue !== '' ? { allValue: v.allValue } : {}),
    });
  }
  return { variables, unsupported };
}

// Grafana's Prometheus data source escapes a multi-value or "All" selection for a regex matcher.
const regexEscape = (value: string) => value.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');

/** A variable's selection as Grafana writes it into the query: "All" selected (the dashboard's default). */
export function interpolateAll(variable: QueryVariable, values: string[]): string {
  if (variable.includeAll && variable.allValue !== undefined) return variable.allValue;
  if (!variable.multi && !variable.includeAll) return (values[0] ?? '').replace(/\\/g, '\\\\');
  const escaped = values.map(regexEscape);
  return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
}

/**
 * The query with `$name`, `${name}`, `${name:…}` and `[[name]]` replaced, and Grafana's interval
 * variables set from the data source's scrape interval (`timeInterval`): $__interval is that interval,
 * $__rate_interval four of them (Grafana's minimum), $__range the dashboard's hour.
 */
export function expandQuery(expr: string, selections: Map<string, string>, scrapeSeconds: number): string {
  const builtins = new Map([
    ['__interval', `${scrapeSeconds}s`],
    ['__interval_ms', String(scrapeSeconds * 1000)],
    ['__rate_interval', `${Math.max(4 * scrapeSeconds, 2 * scrapeSeconds)}s`],
    ['__range', '1h'],
    ['__range_s', '3600'],
  ]);
  const value = (name: string, whole: string) => selections.get(name) ?? builtins.get(name) ?? whole;
  return expr.replace(/\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (whole, a?: string, b?: string, c?: string) => value((a ?? b ?? c)!, whole));
}

/** `timeInterval` of a provisioned Prometheus data source (`1m`, `30s`) in seconds; Grafana's default 15 s. */
export function scrapeSeconds(timeInterval: unknown): number {
  const m = /^(\d+)(s|m|h)$/.exec(String(timeInterval ?? ''));
  if (!m) return 15;
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'];
}
