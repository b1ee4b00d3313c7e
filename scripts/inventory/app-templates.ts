import { isMap, type Values } from '../lib/values.ts';
import type { ValuePath } from './app-catalog-types.ts';

/**
 * The catalog's small templating vocabulary: value paths (`server`, `serverFiles."alerting_rules.yml"`, `.`) and
 * placeholders (`${cluster.domain}`) in values, replaced per cluster. Pure.
 */

/** What a placeholder can read: the cluster's inventory fields and the app that writes the values. */
export interface TemplateContext {
  cluster: {
    name: string;
    environment: string;
    domain: string;
    storageClass: string;
    kubernetesVersion: string;
    destination: { namespace: string };
    gateway?: { name: string; namespace: string; sectionName?: string };
  };
  app: { name: string; releaseName: string };
}

/** Every placeholder, by name, and how it reads the context; undefined: the field is absent on this cluster. */
export const PLACEHOLDERS: Record<string, (c: TemplateContext) => string | undefined> = {
  'cluster.name': (c) => c.cluster.name,
  'cluster.environment': (c) => c.cluster.environment,
  'cluster.domain': (c) => c.cluster.domain,
  'cluster.storageClass': (c) => c.cluster.storageClass,
  'cluster.namespace': (c) => c.cluster.destination.namespace,
  'cluster.kubernetesVersion': (c) => c.cluster.kubernetesVersion,
  'cluster.gateway.name': (c) => c.cluster.gateway?.name,
  'cluster.gateway.namespace': (c) => c.cluster.gateway?.namespace,
  'cluster.gateway.sectionName': (c) => c.cluster.gateway?.sectionName,
  'app.name': (c) => c.app.name,
  'app.releaseName': (c) => c.app.releaseName,
};

/** Placeholders that exist only on clusters with a gateway: allowed in whenGateway only. */
export const GATEWAY_PLACEHOLDERS = ['cluster.gateway.name', 'cluster.gateway.namespace', 'cluster.gateway.sectionName'];
/** Placeholders that can be absent even there: allowed only as a whole value, which is then left out. */
export const OPTIONAL_PLACEHOLDERS = ['cluster.gateway.sectionName'];

const PLACEHOLDER = /\$\{([^}]*)\}/g;
const WHOLE = /^\$\{([^}]*)\}$/;

/** The placeholder names used in a string. */
export const placeholdersIn = (text: string): { name: string; whole: boolean }[] =>
  [...text.matchAll(PLACEHOLDER)].map((m) => ({ name: m[1]!, whole: WHOLE.test(text) }));

/** `a.b."c.d"` → ['a', 'b', 'c.d']; `.` → [] (the top level). The catalog's schema has checked the syntax. */
export function parseValuePath(text: string): ValuePath {
  if (text === '.') return [];
  return [...text.matchAll(/"([^"]+)"|([^."]+)/g)].map((m) => m[1] ?? m[2]!);
}

/** The value at `path`, nested in maps: `{}` at [] is the value itself. */
export function atPath(path: ValuePath, value: Values): Values {
  return path.reduceRight<Values>((inner, key) => ({ [key]: inner }), value);
}

const LEFT_OUT = Symbol('left out');

/** Values templates with every placeholder replaced; a whole-value placeholder of an absent field drops its key or item. */
export function renderValues(template: Values, context: TemplateContext): Values {
  return render(template, context) as Values;
}

function render(value: unknown, context: TemplateContext): unknown {
  if (typeof value === 'string') return renderString(value, context);
  if (Array.isArray(value)) return value.map((v) => render(v, context)).filter((v) => v !== LEFT_OUT);
  if (isMap(value)) {
    const out: Values = {};
    for (const [key, v] of Object.entries(value)) {
      const rendered = render(v, context);
      if (rendered !== LEFT_OUT) out[key] = rendered;
    }
    return out;
  }
  return value;
}

function renderString(text: string, context: TemplateContext): string | typeof LEFT_OUT {
  const whole = WHOLE.exec(text);
  if (whole) return PLACEHOLDERS[whole[1]!]?.(context) ?? LEFT_OUT;
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const found = PLACEHOLDERS[name]?.(context);
    // The catalog reader refuses placeholders that could be absent inside a longer string.
    if (found === undefined) throw new Error(`placeholder \${${name}} has no value for cluster ${context.cluster.name}`);
    return found;
  });
}
