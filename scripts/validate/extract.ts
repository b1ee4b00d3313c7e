import type { K8sObject } from '../render/render.ts';

type ConfigMap = K8sObject & { data?: Record<string, string> };

/** The first ConfigMap among `objects` whose data holds `key`, with that key's text. */
export function configMapEntry(objects: K8sObject[], key: string): { name: string; text: string } | undefined {
  for (const o of objects as ConfigMap[]) {
    if (o.kind === 'ConfigMap' && typeof o.data?.[key] === 'string') return { name: o.metadata?.name ?? '?', text: o.data[key] };
  }
  return undefined;
}

/** `Kind/name` as findings name resources. */
export const resourceName = (o: K8sObject) => `${o.kind ?? '?'}/${o.metadata?.name ?? '?'}`;

/** API group of an object (core is ''). */
export const groupOf = (o: K8sObject) => (o.apiVersion?.includes('/') ? o.apiVersion.split('/')[0]! : '');
