import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../cluster/client.ts';

/** The label Argo CD reads its own ConfigMaps and Secrets by. */
const PART_OF = { 'app.kubernetes.io/part-of': 'argocd' };

/** The account the drift report uses: read-only API access by token (no login). */
export const DRIFT_ACCOUNT = 'drift-report';

/**
 * argocd-cm as an Argo CD install starts (empty) plus `settings` (the repository's bootstrap patch),
 * the drift report's account and the e2e's faster reconciliation.
 */
export function argocdConfigMaps(namespace: string, settings: Record<string, string>, reconciliation = '10s'): KubeObject[] {
  const cm = (name: string, data: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: PART_OF },
    // No empty `data`, as in Argo CD's install.yaml: its owner would own `.data` and refuse bootstrap's keys.
    ...(Object.keys(data).length ? { data } : {}),
  });
  return [
    cm('argocd-cm', { ...settings, 'timeout.reconciliation': reconciliation, [`accounts.${DRIFT_ACCOUNT}`]: 'apiKey' }),
    cm('argocd-rbac-cm', {
      'policy.csv': `p, ${DRIFT_ACCOUNT}, applications, get, */*, allow\np, ${DRIFT_ACCOUNT}, projects, get, *, allow\n`,
      'policy.default': '',
    }),
    cm('argocd-cmd-params-cm', {}),
  ];
}

/** argocd-secret: the key Argo CD signs tokens with, and the drift account's one token id. */
export function argocdSecret(namespace: string, secretKey: string, tokenId: string, issuedAt: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'argocd-secret', namespace, labels: PART_OF },
    stringData: { 'server.secretkey': secretKey, [`accounts.${DRIFT_ACCOUNT}.tokens`]: JSON.stringify([{ id: tokenId, iat: issuedAt }]) },
  };
}

/** A fresh signing key and an API token for the drift account, as `argocd account generate-token` makes it. */
export function driftToken(): { secretKey: string; tokenId: string; issuedAt: number; token: string } {
  const secretKey = randomBytes(32).toString('base64url');
  const tokenId = randomUUID();
  const issuedAt = Math.floor(Date.now() / 1000) - 5;
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: 'argocd', sub: `${DRIFT_ACCOUNT}:apiKey`, jti: tokenId, iat: issuedAt, nbf: issuedAt })}`;
  const signature = createHmac('sha256', secretKey).update(unsigned).digest('base64url');
  return { secretKey, tokenId, issuedAt, token: `${unsigned}.${signature}` };
}

/** The data of ConfigMap `name` in a file of several documents (bootstrap/argocd-cm.yaml holds argocd-cm and argocd-cmd-params-cm). */
export function configMapData(text: string, name: string): Record<string, string> {
  for (const doc of parseAllDocuments(text)) {
    const object = doc.toJS() as { kind?: string; metadata?: { name?: string }; data?: Record<string, string> } | null;
    if (object?.kind === 'ConfigMap' && object.metadata?.name === name) return object.data ?? {};
  }
  return {};
}

type EnvVar = { name: string; valueFrom?: { configMapKeyRef?: { name: string; key: string } } };
type StatefulSet = { spec: { template: { spec: { containers: { name: string; env?: EnvVar[] }[] } } } };

/**
 * The env one application-controller replica starts with, as Argo CD's StatefulSet (its YAML text) gives it: each
 * argocd-cmd-params-cm key under the variable the StatefulSet maps it to, plus the replica count and, since replicas
 * here share one hostname (no StatefulSet ordinal to infer it from), the shard. A `controller.*` key the StatefulSet
 * does not map is an error: a setting the repository ships must reach the controller under test.
 */
export function controllerEnv(statefulSet: string, params: Record<string, string>, replicas: number, shard: number): Record<string, string> {
  const spec = parseAllDocuments(statefulSet)[0]?.toJS() as StatefulSet;
  const env = spec.spec.template.spec.containers.find((c) => c.name === 'argocd-application-controller')?.env ?? [];
  const byKey = new Map(
    env.flatMap((e) => (e.valueFrom?.configMapKeyRef?.name === 'argocd-cmd-params-cm' ? [[e.valueFrom.configMapKeyRef.key, e.name] as const] : [])),
  );
  const own = Object.entries(params).filter(([key]) => key.startsWith('controller.'));
  const unmapped = own.filter(([key]) => !byKey.has(key)).map(([key]) => key);
  if (unmapped.length) throw new Error(`argocd-cmd-params-cm keys the application controller does not read: ${unmapped.join(', ')}`);
  return {
    ...Object.fromEntries(own.map(([key, value]) => [byKey.get(key)!, value])),
    ARGOCD_CONTROLLER_REPLICAS: String(replicas),
    ARGOCD_CONTROLLER_SHARD: String(shard),
  };
}
