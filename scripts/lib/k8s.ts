/** A Kubernetes object as rendered or read from an API server. */
export type K8sObject = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string; [k: string]: unknown }; [k: string]: unknown };

/** `Kind/name`: how findings name the resource they concern. */
export const resourceName = (o: K8sObject) => `${o.kind ?? '?'}/${o.metadata?.name ?? '?'}`;

/** `Kind namespace/name` (cluster-scoped: `Kind name`): a resource's identity across renders, diffs and live reads. */
export const resourceId = (o: K8sObject) => `${o.kind ?? '?'} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? '?'}`;

/** API group of an object (core is ''). */
export const groupOf = (o: K8sObject) => (o.apiVersion?.includes('/') ? o.apiVersion.split('/')[0]! : '');
