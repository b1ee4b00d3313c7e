import type { RuntimeApi } from './api.ts';

/** A vector selector of a PromQL expression, as Prometheus' parser reports it. */
export interface Selector {
  metric: string;
  matchers: { type: string; name: string; value: string }[];
}

type Node = { type?: string; name?: string; matchers?: Selector['matchers']; [k: string]: unknown };

/** Every vector selector of `expr`, parsed by the running Prometheus itself (`/api/v1/parse_query`). */
export async function selectorsOf(api: RuntimeApi, expr: string): Promise<Selector[]> {
  const ast = await api.prom<Node>('/api/v1/parse_query', { query: expr });
  const found: Selector[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const n = node as Node;
    if ((n.type === 'vectorSelector' || n.type === 'matrixSelector') && Array.isArray(n.matchers)) found.push({ metric: n.name ?? '', matchers: n.matchers });
    else Object.values(n).forEach(walk);
  };
  walk(ast);
  return found;
}

const text = (matchers: Selector['matchers']) => `{${matchers.map((m) => `${m.name}${m.type}${JSON.stringify(m.value)}`).join(', ')}}`;

/**
 * Why a selector matches no series of the running targets (undefined when it matches some): the metric
 * is not exported at all, or one of its label matchers selects nothing (with the values the label has).
 */
export async function whyEmpty(api: RuntimeApi, selector: Selector, since: number): Promise<string | undefined> {
  const series = (matchers: Selector['matchers']) =>
    api.prom<Record<string, string>[]>('/api/v1/series', { 'match[]': text(matchers), start: String(since / 1000) });
  if ((await series(selector.matchers)).length) return undefined;
  const name = selector.matchers.filter((m) => m.name === '__name__');
  if (name.length && !(await series(name)).length) return `metric ${selector.metric || text(name)} has no series: no target exports it`;
  for (const matcher of selector.matchers.filter((m) => m.name !== '__name__')) {
    if ((await series([...name, matcher])).length) continue;
    const values = [...new Set((await series(name)).map((s) => s[matcher.name]).filter((v) => v !== undefined))].sort();
    return `${selector.metric} has no series with ${matcher.name}${matcher.type}${JSON.stringify(matcher.value)} (${
      values.length ? `its ${matcher.name} values: ${values.slice(0, 8).join(', ')}` : `no series has the label ${matcher.name}`
    })`;
  }
  return `${selector.metric}${text(selector.matchers)} matches no series (each matcher alone does: they never meet)`;
}
