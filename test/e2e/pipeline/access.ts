import type { K8sObject } from '../../../scripts/lib/k8s.ts';
import { isMap } from '../../../scripts/lib/values.ts';
import { PROMETHEUS_AUTH_SECRET, basicAuthHeaders, reloadRequest, type BasicAuth } from './auth.ts';
import { containerEnv, type EnvSources } from './launch.ts';
import type { DrillNamespace } from './namespace.ts';
import { PROBES, describeProbe, httpProbeSucceeds, probeAction } from './probes.ts';

/** What one check of Prometheus' authentication found, and its part of the drill's summary line. */
export interface AccessCheck {
  findings: string[];
  summary: string;
}

type Json = Record<string, unknown>;
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isMap) : []);
const podIP = (pod: K8sObject) => String((pod.status as Json | undefined)?.podIP ?? '');

/** A selector no series has: should delete_series ever be let through without credentials, it deletes nothing. */
const MATCHES_NOTHING = '{__name__="fire_drill_matches_nothing"}';

/**
 * Prometheus asks for credentials: a query without them answers 401 and with the Secret's answers data; what
 * would change or stop it (/-/reload, the admin API's delete_series, /-/quit) answers 401 without them. /-/quit
 * is only asked when /-/reload was refused (the same check guards both), and never with credentials.
 */
export async function prometheusAccess(ns: DrillNamespace, address: string, auth: BasicAuth): Promise<AccessCheck> {
  const findings: string[] = [];
  const query = `http://${address}/api/v1/query?query=up`;
  const bare = await ns.fetch(query);
  if (bare.status !== 401)
    findings.push(`Prometheus answered ${bare.status} to /api/v1/query without credentials, not 401: whoever reaches it reads every series`);
  const signed = await ns.fetch({ url: query, headers: basicAuthHeaders(auth) });
  if (signed.status !== 200 || answer(signed.body)?.status !== 'success')
    findings.push(
      `Prometheus answered ${signed.status} to /api/v1/query with the credentials of the Secret ${PROMETHEUS_AUTH_SECRET} (user ${auth.username}), not data: ${signed.body.slice(0, 200).trim()}`,
    );
  const lifecycle: [string, string][] = [
    ['/-/reload', 'reloads its config'],
    [`/api/v1/admin/tsdb/delete_series?${new URLSearchParams({ 'match[]': MATCHES_NOTHING })}`, 'deletes series, with --web.enable-admin-api'],
    ['/-/quit', 'stops Prometheus'],
  ];
  let reloadRefused = false;
  for (const [path, what] of lifecycle) {
    if (path === '/-/quit' && !reloadRefused) continue;
    const response = await ns.fetch({ url: `http://${address}${path}`, method: 'POST' });
    if (path === '/-/reload') reloadRefused = response.status === 401;
    if (response.status !== 401)
      findings.push(
        `Prometheus answered ${response.status} to POST ${path.split('?')[0]} without credentials, not 401 (${response.body.slice(0, 120).trim()}): no sign-in guards what it does (${what})`,
      );
  }
  return { findings, summary: findings.length ? 'Prometheus: not signed in as promised' : "Prometheus: 401 without credentials, data with the Secret's" };
}

/**
 * The config reloader of the Prometheus pod reloads it: its `--reload-url` as the kubelet expands it (env from
 * the live Secret) and Go's http client sends it (the URL's userinfo as basic authentication), on the pod's
 * address, answers 200 to a POST; the same URL without the credentials answers 401.
 */
export async function reloaderReloads(ns: DrillNamespace, pod: K8sObject, sources: EnvSources): Promise<AccessCheck> {
  const envProblems: string[] = [];
  const request = reloadRequest(
    list((pod.spec as Json).containers),
    (container) => {
      const { env, problems } = containerEnv(container, pod, sources);
      envProblems.push(...problems);
      return env;
    },
    podIP(pod),
  );
  if (request === undefined)
    return {
      findings: [`the Prometheus pod ${pod.metadata?.name} runs no config reloader (a container with --reload-url): a changed ConfigMap is never loaded`],
      summary: 'no reloader',
    };
  if (request === 'signal') return { findings: [], summary: 'reloader by signal' };
  const name = `config reloader ${request.container}`;
  const findings = envProblems.map((p) => `${name}: the kubelet would not start it: ${p}`);
  if ('problem' in request) return { findings: [...findings, `${name}: ${request.problem}`], summary: 'reloader failed' };
  const post = (auth?: BasicAuth) => ns.fetch({ url: request.url, method: 'POST', headers: basicAuthHeaders(auth) }).catch((err: Error) => err);
  const signed = await post(request.auth);
  if (signed instanceof Error) findings.push(`${name}: POST to its --reload-url (${request.written}) failed: ${signed.message}`);
  else if (signed.status !== 200)
    findings.push(
      `${name}: POST to its --reload-url (${request.written}, ${request.auth ? `signed in as ${request.auth.username}` : 'no credentials in the URL'}) answered ${signed.status} ${signed.body.slice(0, 200).trim()}: Prometheus never reloads a changed config`,
    );
  if (request.auth) {
    const bare = await post();
    if (!(bare instanceof Error) && bare.status !== 401)
      findings.push(`${name}: its --reload-url without credentials answered ${bare.status}, not 401: Prometheus reloads for anyone`);
  }
  return { findings, summary: signed instanceof Error ? 'reloader failed' : `reloader ${signed.status}` };
}

const CONSEQUENCE: Record<(typeof PROBES)[number], string> = {
  startupProbe: 'the kubelet would restart Prometheus before it ever counts as started',
  readinessProbe: "the kubelet would keep the pod out of its Service's endpoints: Grafana and the Ingress lose it",
  livenessProbe: 'the kubelet would restart Prometheus again and again',
};

/**
 * The probes of the Prometheus server container as synced, performed as the kubelet performs them (httpGet: a
 * GET with its httpHeaders and no credentials on the pod's address; tcpSocket: a TCP connection), against
 * the running Prometheus. exec and grpc probes are not run (said in the summary).
 */
export async function probesPass(ns: DrillNamespace, pod: K8sObject, containerName: string): Promise<AccessCheck> {
  const container = list((pod.spec as Json).containers).find((c) => c.name === containerName) ?? {};
  const findings: string[] = [];
  const passed: string[] = [];
  const failed: string[] = [];
  const skipped: string[] = [];
  for (const kind of PROBES) {
    const probe = container[kind];
    if (!isMap(probe)) continue;
    const action = probeAction(probe, container, podIP(pod));
    const what = `${kind} of ${containerName} (${describeProbe(action)})`;
    if (action.kind === 'unsupported') {
      skipped.push(`${kind} ${action.what}`);
      continue;
    }
    let failure: string | undefined;
    if (action.kind === 'invalid') failure = 'the kubelet cannot run it';
    else if (action.kind === 'tcp') {
      const timeoutMs = 1000 * (typeof probe.timeoutSeconds === 'number' ? probe.timeoutSeconds : 1);
      const result = await ns.connect({ host: action.host, port: action.port, timeoutMs });
      if (!result.connected) failure = `no connection: ${result.error}`;
    } else {
      const response = await ns.fetch({ url: action.url, headers: action.headers }).catch((err: Error) => err);
      if (response instanceof Error) failure = response.message;
      else if (!httpProbeSucceeds(response.status))
        failure = `answered ${response.status}${response.status === 401 ? ' (the kubelet sends no credentials, and Prometheus asks every path for them)' : ''}`;
    }
    if (failure) {
      findings.push(`${what} fails: ${failure}; ${CONSEQUENCE[kind]}`);
      failed.push(kind);
    } else passed.push(kind);
  }
  const notRun = skipped.length ? ` (not run: ${skipped.join(', ')})` : '';
  if (failed.length) return { findings, summary: `probes fail: ${failed.join(', ')}${notRun}` };
  return { findings, summary: passed.length ? `probes ok${notRun}` : `no probes${notRun}` };
}

/** A JSON answer, or undefined when the body is none (a 401's "Unauthorized"). */
function answer(body: string): { status?: string } | undefined {
  try {
    return JSON.parse(body) as { status?: string };
  } catch {
    return undefined;
  }
}
