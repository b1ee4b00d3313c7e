import { setTimeout as sleep } from 'node:timers/promises';

/** One Application as Argo CD's API reports it. */
export interface AppStatus {
  name: string;
  sync: string;
  health: string;
  revision: string;
  phase: string;
  message: string;
  /** When the Application object was created (a root creates its children wave by wave). */
  createdAt: string;
  /** Sync operations in its history (more than one at the same revision: it was synced again, e.g. by self-heal). */
  syncs: number;
}

interface ApiApplication {
  metadata: { name: string; creationTimestamp?: string };
  status?: {
    sync?: { status?: string; revision?: string };
    health?: { status?: string; message?: string };
    operationState?: { phase?: string; message?: string; finishedAt?: string };
    conditions?: { type: string; message: string }[];
    history?: { revision?: string; deployedAt?: string }[];
  };
}

/** GET /api/v1/applications of the real argocd-server, with the drift account's token. */
export async function listApplications(url: string, token: string): Promise<AppStatus[]> {
  const res = await fetch(`${url}/api/v1/applications`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`argocd-server answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { items?: ApiApplication[] | null };
  return (body.items ?? []).map(toStatus).sort((a, b) => a.name.localeCompare(b.name));
}

function toStatus(app: ApiApplication): AppStatus {
  const s = app.status ?? {};
  const condition = s.conditions?.map((c) => `${c.type}: ${c.message}`).join('; ') ?? '';
  return {
    name: app.metadata.name,
    sync: s.sync?.status ?? 'Unknown',
    health: s.health?.status ?? 'Unknown',
    revision: s.sync?.revision ?? '',
    phase: s.operationState?.phase ?? '',
    message: condition || s.operationState?.message || s.health?.message || '',
    createdAt: app.metadata.creationTimestamp ?? '',
    syncs: s.history?.length ?? 0,
  };
}

export const converged = (a: AppStatus, revision?: string) => a.sync === 'Synced' && a.health === 'Healthy' && (!revision || a.revision === revision);

/**
 * Polls until every Application of `expected` is Synced and Healthy (at `revision` when given); returns
 * the seconds each took. Fails with the table of what is not there yet.
 */
export async function waitConverged(
  url: string,
  token: string,
  expected: string[],
  options: { revision?: string; timeoutMs?: number } = {},
): Promise<Map<string, number>> {
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 300_000);
  const seconds = new Map<string, number>();
  let last: AppStatus[] = [];
  while (Date.now() < deadline) {
    last = await listApplications(url, token).catch(() => last);
    for (const app of last)
      if (expected.includes(app.name) && !seconds.has(app.name) && converged(app, options.revision)) seconds.set(app.name, (Date.now() - started) / 1000);
    if (expected.every((name) => seconds.has(name))) return seconds;
    await sleep(1000);
  }
  throw new Error(
    `not Synced and Healthy within ${(options.timeoutMs ?? 300_000) / 1000}s:\n${table(
      last.filter((a) => !seconds.has(a.name)),
      seconds,
    )}\nexpected: ${expected.filter((n) => !seconds.has(n)).join(', ')}`,
  );
}

/**
 * Sync waves in order: each cluster's Grafana Application (wave 1) was created only once its Prometheus
 * (wave 0) was healthy, i.e. not before the live prometheus-server Deployment became Available (`availableAt`,
 * per cluster; the roots' Application health check makes them wait). Returns what is out of order.
 */
export function waveViolations(apps: AppStatus[], availableAt: Map<string, string>): string[] {
  const byName = new Map(apps.map((a) => [a.name, a]));
  return [...availableAt].flatMap(([c, available]) => {
    const grafana = byName.get(`${c}-grafana`);
    if (!available || !grafana?.createdAt)
      return [`${c}: prometheus-server available ${available || 'never'}, grafana created ${grafana?.createdAt || 'never'}`];
    return Date.parse(grafana.createdAt) >= Date.parse(available)
      ? []
      : [`${c}: grafana created ${grafana.createdAt}, before prometheus-server was available (${available})`];
  });
}

/** The table the e2e prints: Application, sync, health, revision, syncs (history entries), seconds. */
export function table(apps: AppStatus[], seconds: Map<string, number>): string {
  const rows = [
    ['Application', 'sync', 'health', 'revision', 'syncs', 'seconds'],
    ...apps.map((a) => [
      a.name,
      a.sync,
      a.health,
      a.revision.slice(0, 7),
      String(a.syncs),
      seconds.has(a.name) ? seconds.get(a.name)!.toFixed(1) : `- ${a.message.slice(0, 160)}`,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}
