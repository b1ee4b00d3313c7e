import { setTimeout as sleep } from 'node:timers/promises';

/** What one application-controller replica says on its /metrics: the Applications and the clusters it reconciles. */
export interface ReplicaView {
  shard: number;
  /** argocd_app_info: only the Applications whose destination is in this replica's shard. */
  apps: { name: string; server: string; sync: string; health: string }[];
  /** argocd_cluster_info: the clusters whose cache (watches) this replica holds. */
  clusters: string[];
}

export interface ShardingReport {
  problems: string[];
  /** Per shard, the names of the clusters it reconciles (sorted), and how many Applications. */
  shards: { shard: number; clusters: string[]; apps: number }[];
}

/** The label sets of every sample of `metric` in a Prometheus text exposition. */
export function metricLabels(text: string, metric: string): Record<string, string>[] {
  const samples = text.split('\n').filter((line) => line.startsWith(`${metric}{`));
  return samples.map((line) => {
    const body = line.slice(metric.length + 1, line.lastIndexOf('}'));
    const labels: Record<string, string> = {};
    for (const [, key, value] of body.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    return labels;
  });
}

/** One replica's view from its metrics text. */
export function replicaView(shard: number, text: string): ReplicaView {
  return {
    shard,
    apps: metricLabels(text, 'argocd_app_info').map((l) => ({
      name: l.name ?? '',
      server: l.dest_server ?? '',
      sync: l.sync_status ?? '',
      health: l.health_status ?? '',
    })),
    clusters: metricLabels(text, 'argocd_cluster_info').map((l) => l.server ?? ''),
  };
}

/**
 * Sharding as it should be: every expected Application reported by exactly one replica, Synced and Healthy; each
 * destination cluster's Applications all on one replica, and that cluster's cache held by that replica only.
 * `names` maps a cluster's server URL to its name for the messages.
 */
export function checkSharding(views: ReplicaView[], expected: string[], names: Map<string, string>): ShardingReport {
  const problems: string[] = [];
  const name = (server: string) => names.get(server) ?? server;
  const list = (shards: number[]) => shards.map((s) => `shard ${s}`).join(' and ');
  for (const app of expected) {
    const seen = views.filter((v) => v.apps.some((a) => a.name === app));
    if (seen.length !== 1) problems.push(`${app} is reconciled by ${seen.length ? list(seen.map((v) => v.shard)) : 'no controller replica'}`);
    for (const v of seen)
      for (const a of v.apps.filter((a) => a.name === app && (a.sync !== 'Synced' || a.health !== 'Healthy')))
        problems.push(`${app} is ${a.sync}/${a.health} on shard ${v.shard}`);
  }
  const owners = new Map<string, Set<number>>();
  for (const v of views) for (const a of v.apps) owners.set(a.server, (owners.get(a.server) ?? new Set()).add(v.shard));
  for (const [server, shards] of owners) {
    if (shards.size > 1) problems.push(`cluster ${name(server)} has Applications on ${list([...shards])}`);
    const caches = views.filter((v) => v.clusters.includes(server)).map((v) => v.shard);
    const [owner] = [...shards];
    if (shards.size === 1 && (caches.length !== 1 || caches[0] !== owner))
      problems.push(`cluster ${name(server)} is reconciled by shard ${owner} but watched by ${caches.length ? list(caches) : 'no replica'}`);
  }
  const shards = views.map((v) => {
    const servers = [...owners].filter(([, s]) => s.size === 1 && s.has(v.shard)).map(([server]) => name(server));
    return { shard: v.shard, clusters: servers.sort(), apps: v.apps.length };
  });
  return { problems, shards };
}

/** `shard 0 → dev-1 (2 Applications); shard 1 → in-cluster, prod-eu-1 (5 Applications)`. */
export const describeShards = (report: ShardingReport) =>
  report.shards.map((s) => `shard ${s.shard} → ${s.clusters.length ? s.clusters.join(', ') : 'no cluster'} (${s.apps} Applications)`).join('; ');

/** Reads every replica's metrics until the check passes (cluster caches report every 10 s) or `timeoutMs` ends. */
export async function waitSharded(
  controllers: { shard: number; metrics: string }[],
  expected: string[],
  names: Map<string, string>,
  timeoutMs = 60_000,
): Promise<ShardingReport> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const views = await Promise.all(
      controllers.map(async (c) => replicaView(c.shard, await (await fetch(c.metrics, { signal: AbortSignal.timeout(10_000) })).text())),
    );
    const report = checkSharding(views, expected, names);
    if (!report.problems.length || Date.now() > deadline) return report;
    await sleep(2000);
  }
}
