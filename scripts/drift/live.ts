import { KubeApiError, KubeClient, isNotFound, type KubeObject } from '../cluster/client.ts';
import { resourceId } from '../lib/k8s.ts';
import { mapLimit } from '../lib/concurrency.ts';
import { EnvironmentError } from '../lib/errors.ts';
import type { K8sObject } from '../lib/k8s.ts';
import { compareLive } from './live-compare.ts';
import { fieldDriftItem, liveSection, missingItem, uncheckedItem, type ObjectPlace, type TargetOutcome } from './live-items.ts';
import { DEFAULT_IGNORE_RULES, hpaTargets, type HpaLike, type IgnoreRule } from './live-rules.ts';
import type { DriftItem, DriftSection } from './types.ts';

export { DEFAULT_IGNORE_RULES, type IgnoreRule } from './live-rules.ts';

/** What Git wants of one app on a cluster: its rendered objects. */
interface LiveDesiredApp {
  app: string;
  objects: K8sObject[];
  /** The Argo CD Application that syncs it (its name is what label tracking writes); default `<cluster>-<app>`. */
  application?: string;
  /** Namespace of namespaced objects that name none (the Application's destination); default `default`. */
  namespace?: string;
}

/** One cluster to compare, reached through a kubeconfig (current context, bearer token). */
export interface LiveTarget {
  cluster: string;
  environment: string;
  kubeconfig: string;
  desired: LiveDesiredApp[];
}

interface LiveDriftInput {
  targets: LiveTarget[];
  /** Known noise to count instead of report; default {@link DEFAULT_IGNORE_RULES} (pass `[...DEFAULT_IGNORE_RULES, mine]` to add). */
  ignore?: readonly IgnoreRule[];
  /** Objects checked at once per cluster (two requests each); default 8. */
  concurrency?: number;
  /** How long a cluster may take to answer `/version` before it counts as unreachable; default 10 s. */
  probeTimeoutMs?: number;
}

/**
 * Live drift per resource, the way `kubectl diff` and Flux compute it: for each object in Git, GET the
 * live object and a server-side apply dry-run of Git's object (force, field manager monitoring-gitops),
 * then compare the two normalised (see `compareLive`). Unreachable clusters make the section partial.
 */
export async function liveDriftSection(input: LiveDriftInput): Promise<DriftSection> {
  const rules = input.ignore ?? DEFAULT_IGNORE_RULES;
  const outcomes = await Promise.all(input.targets.map((t) => checkTarget(t, rules, input)));
  return liveSection(outcomes);
}

async function checkTarget(target: LiveTarget, rules: readonly IgnoreRule[], input: LiveDriftInput): Promise<TargetOutcome> {
  const unreached = (err: unknown): TargetOutcome => ({ cluster: target.cluster, reached: false, reason: err instanceof Error ? err.message : String(err) });
  let client: KubeClient;
  try {
    client = await KubeClient.fromKubeconfig(target.kubeconfig);
  } catch (err) {
    return unreached(err);
  }
  try {
    // Credentials refused count as unreachable too: nothing on that cluster could be checked.
    await withTimeout(client.version(), input.probeTimeoutMs ?? 10_000, `no answer from ${client.connection.server}`);
    const objects = target.desired.flatMap((d) => d.objects.filter(isCheckable).map((object) => ({ desired: d, object })));
    const scaled = await readHpaTargets(
      client,
      objects.map((o) => o.object.metadata.namespace ?? o.desired.namespace ?? 'default'),
      objects.map((o) => o.object),
    );
    const results = await mapLimit(objects, input.concurrency ?? 8, ({ desired, object }) => checkObject(client, target, desired, object, { rules, scaled }));
    const suppressed: Record<string, number> = {};
    for (const r of results) for (const [rule, n] of Object.entries(r.suppressed)) suppressed[rule] = (suppressed[rule] ?? 0) + n;
    return { cluster: target.cluster, reached: true, items: results.flatMap((r) => r.items), suppressed };
  } catch (err) {
    if (err instanceof EnvironmentError || err instanceof KubeApiError || err instanceof ProbeTimeout) return unreached(err);
    throw err;
  } finally {
    client.close();
  }
}

const isCheckable = (o: K8sObject): o is KubeObject => !!(o.apiVersion && o.kind && o.metadata?.name);

interface ObjectResult {
  items: DriftItem[];
  suppressed: Record<string, number>;
}

async function checkObject(
  client: KubeClient,
  target: LiveTarget,
  app: LiveDesiredApp,
  object: KubeObject,
  options: { rules: readonly IgnoreRule[]; scaled: Set<string> },
): Promise<ObjectResult> {
  const desired = await withDefaultNamespace(client, object, app.namespace);
  const application = app.application ?? `${target.cluster}-${app.app}`;
  const place: ObjectPlace = { cluster: target.cluster, environment: target.environment, app: app.app, application, resource: resourceId(desired) };
  const none = { items: [], suppressed: {} };
  let live: KubeObject;
  try {
    live = await client.get({ apiVersion: desired.apiVersion, kind: desired.kind, name: desired.metadata.name, namespace: desired.metadata.namespace });
  } catch (err) {
    if (isNotFound(err)) return { ...none, items: [missingItem(place, (err as KubeApiError).apiMessage)] };
    if (err instanceof KubeApiError) return { ...none, items: [uncheckedItem(place, 'read', err.describeCauses())] };
    throw err;
  }
  let merged: KubeObject;
  try {
    merged = await client.apply(desired, { dryRun: true, force: true });
  } catch (err) {
    if (err instanceof KubeApiError) return { ...none, items: [uncheckedItem(place, 'dry-run', err.describeCauses())] };
    throw err;
  }
  const { drifts, suppressed } = compareLive(merged, live, {
    applicationNames: [application],
    scaledByHpa: options.scaled.has(place.resource),
    rules: options.rules,
  });
  return { items: drifts.map((d) => fieldDriftItem(place, d)), suppressed };
}

/** `object` with `namespace` filled in when its kind is namespaced and it names none (as Argo CD does with the destination). */
async function withDefaultNamespace(client: KubeClient, object: KubeObject, namespace = 'default'): Promise<KubeObject> {
  if (object.metadata.namespace) return object;
  const path = await client.pathOf({ apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace }).catch(() => '');
  return path.includes('/namespaces/') ? { ...object, metadata: { ...object.metadata, namespace } } : object;
}

const SCALED_KINDS = new Set(['Deployment', 'StatefulSet']);

/** What the HPAs in Git and in the namespaces of Git's scalable objects scale (a kind the server lacks: none). */
async function readHpaTargets(client: KubeClient, namespaceOf: string[], objects: KubeObject[]): Promise<Set<string>> {
  const fromGit = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler') as HpaLike[];
  const namespaces = [...new Set(objects.flatMap((o, i) => (SCALED_KINDS.has(o.kind) ? [namespaceOf[i]!] : [])))];
  const live = await Promise.all(
    namespaces.map((namespace) =>
      client.list<KubeObject>({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', namespace }).catch((err: unknown) => {
        if (err instanceof KubeApiError) return [];
        throw err;
      }),
    ),
  );
  return hpaTargets([...fromGit, ...(live.flat() as HpaLike[])]);
}

class ProbeTimeout extends Error {
  override name = 'ProbeTimeout';
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(`${message} within ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
