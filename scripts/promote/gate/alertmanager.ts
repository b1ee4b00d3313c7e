import { KubeClient } from '../../cluster/client.ts';
import { EnvironmentError } from '../../lib/errors.ts';
import { redactUrls } from '../../lib/redact.ts';
import type { BlockingAlert } from './evaluate.ts';
import { matcherFilter, type PromotionGate } from '../../inventory/promotion-gate.ts';

/** How to reach one cluster's Alertmanager: its URL, or the API server's service proxy with the cluster's kubeconfig. */
export type AlertmanagerAccess = { url: string } | { kubeconfig: string; context?: string; namespace: string; service: string; port: string };

/** Alertmanager API v2's gettableAlert, the fields the gate reads. */
interface GettableAlert {
  labels?: Record<string, string>;
  startsAt?: string;
  status?: { state?: string };
}

const TIMEOUT_MS = 20_000;

/**
 * The cluster's active alerts (not silenced, not inhibited) that match a blocking entry, asked of Alertmanager
 * itself (`GET /api/v2/alerts?filter=…`), so that its own matcher semantics decide. Anything but an answer is
 * an EnvironmentError (exit 2): an Alertmanager that cannot be asked never passes a gate.
 */
export async function readBlockingAlerts(cluster: string, access: AlertmanagerAccess, entries: PromotionGate['blockingAlerts']): Promise<BlockingAlert[]> {
  const get = await alertsGetter(cluster, access);
  const found = new Map<string, BlockingAlert>();
  for (const entry of entries) {
    const query = new URLSearchParams({ active: 'true', silenced: 'false', inhibited: 'false' });
    for (const m of entry.matchers) query.append('filter', matcherFilter(m));
    for (const alert of await get(`/api/v2/alerts?${query}`)) {
      const labels = alert.labels ?? {};
      const key = JSON.stringify(Object.entries(labels).sort());
      if (!found.has(key)) found.set(key, { alertname: labels.alertname ?? '(no alertname)', startsAt: alert.startsAt ?? '', labels, matched: entry.text });
    }
  }
  return [...found.values()].sort((a, b) => a.alertname.localeCompare(b.alertname) || a.startsAt.localeCompare(b.startsAt));
}

type Getter = (path: string) => Promise<GettableAlert[]>;

async function alertsGetter(cluster: string, access: AlertmanagerAccess): Promise<Getter> {
  if ('url' in access) {
    const base = access.url.replace(/\/+$/, '');
    const where = `${cluster}'s Alertmanager at ${redactUrls(base)}`;
    return async (path) => {
      const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: 'application/json' } }).catch((err: Error) => {
        throw new EnvironmentError(
          `${where} did not answer (${(err.cause as Error | undefined)?.message ?? err.message})\nfix: check --alertmanager ${cluster}=URL and the network, then promote again`,
          { cause: err },
        );
      });
      return parseAlerts(
        where,
        res.status,
        await res.text(),
        `check that --alertmanager ${cluster}=URL is Alertmanager's own address (its API v2 is at /api/v2)`,
      );
    };
  }
  const client = await KubeClient.fromKubeconfig(access.kubeconfig, access.context);
  const proxy = `/api/v1/namespaces/${access.namespace}/services/${access.service}:${access.port}/proxy`;
  const where = `${cluster}'s Alertmanager (Service ${access.namespace}/${access.service}, through the API server's service proxy)`;
  return async (path) => {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new EnvironmentError(`${where} did not answer within ${TIMEOUT_MS / 1000} s\nfix: check the cluster, then promote again`)),
        TIMEOUT_MS,
      ).unref(),
    );
    const res = await Promise.race([client.raw('GET', `${proxy}${path}`), timeout]);
    return parseAlerts(where, res.status, res.body, proxyFix(res.status, access));
  };
}

/** What to do about a service-proxy answer that is not the alert list. */
function proxyFix(status: number, access: Extract<AlertmanagerAccess, { kubeconfig: string }>): string {
  if (status === 401) return `the kubeconfig ${access.kubeconfig} was refused: give a valid token`;
  if (status === 403)
    return `let the kubeconfig's user get services/proxy of ${access.service} in ${access.namespace} (a Role with resources: [services/proxy], resourceNames: [${access.service}], verbs: [get])`;
  if (status === 404) return `${access.namespace}/${access.service} is not there: is Alertmanager enabled and synced on this cluster?`;
  return `the API server could not reach Alertmanager's pods: check that ${access.service} has ready endpoints (kubectl -n ${access.namespace} get endpoints ${access.service})`;
}

function parseAlerts(where: string, status: number, body: string, fix: string): GettableAlert[] {
  if (status !== 200) throw new EnvironmentError(`${where} answered ${status}: ${redactUrls(body.slice(0, 200).trim())}\nfix: ${fix}`);
  let alerts: unknown;
  try {
    alerts = JSON.parse(body);
  } catch {
    alerts = undefined;
  }
  if (!Array.isArray(alerts)) throw new EnvironmentError(`${where} did not answer an alert list (API v2 gettableAlerts)\nfix: ${fix}`);
  return alerts as GettableAlert[];
}
