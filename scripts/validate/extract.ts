import type { K8sObject } from '../render/render.ts';

/** `Kind/name` as findings name resources. */
export const resourceName = (o: K8sObject) => `${o.kind ?? '?'}/${o.metadata?.name ?? '?'}`;

/** API group of an object (core is ''). */
export const groupOf = (o: K8sObject) => (o.apiVersion?.includes('/') ? o.apiVersion.split('/')[0]! : '');
