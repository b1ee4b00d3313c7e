import type { KubeClient } from '../../scripts/cluster/client.ts';

const ADMISSION = 'admissionregistration.k8s.io/v1';

/**
 * Makes the API server refuse real (not dry-run) updates of one Deployment's pod template, as an admission
 * policy of a cluster's owners might: Argo CD's server-side diff still works, its sync fails and is retried.
 * Returns what lifts it again.
 */
export async function freezeDeployment(client: KubeClient, deployment: string): Promise<() => Promise<void>> {
  const name = `e2e-freeze-${deployment}`;
  await client.apply({
    apiVersion: ADMISSION,
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['deployments'] }] },
      validations: [
        {
          expression: `request.dryRun == true || object.metadata.name != '${deployment}' || object.spec.template == oldObject.spec.template`,
          message: `e2e: ${deployment} is frozen`,
        },
      ],
    },
  });
  await client.apply({
    apiVersion: ADMISSION,
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name },
    spec: { policyName: name, validationActions: ['Deny'] },
  });
  return async () => {
    await client.delete({ apiVersion: ADMISSION, kind: 'ValidatingAdmissionPolicyBinding', name });
    await client.delete({ apiVersion: ADMISSION, kind: 'ValidatingAdmissionPolicy', name });
  };
}

type OperationState = { phase?: string; retryCount?: number; message?: string; syncResult?: { revision?: string } };

/** Until Argo CD has retried a sync of `application` that the freeze refused; returns that operation state. */
export async function waitRefusedSync(hub: KubeClient, application: string, timeoutMs = 150_000): Promise<OperationState> {
  const ref = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', namespace: 'argocd', name: application };
  const deadline = Date.now() + timeoutMs;
  let op: OperationState = {};
  while (!((op.retryCount ?? 0) >= 1 && /frozen/.test(op.message ?? ''))) {
    if (Date.now() > deadline) throw new Error(`${application}'s refused sync was not retried within ${timeoutMs / 1000}s: ${JSON.stringify(op)}`);
    await new Promise((r) => setTimeout(r, 2000));
    op =
      (await hub.get<{ apiVersion: string; kind: string; metadata: { name: string }; status?: { operationState?: OperationState } }>(ref)).status
        ?.operationState ?? {};
  }
  return op;
}
