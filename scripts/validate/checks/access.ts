import { parse } from 'yaml';
import type { Finding } from '../../lib/findings.ts';
import { resourceName, type K8sObject } from '../../lib/k8s.ts';
import { isMap } from '../../lib/values.ts';
import type { RenderedLeaf } from '../../render/render.ts';
import { configuredContainers, flagValue, isPrometheus, list, lookupFile, podSpec, type ConfiguredContainer, type Json } from '../pod-files.ts';
import type { Check } from '../types.ts';

const WEB_CONFIG_HINT =
  'set server.extraArgs."web.config.file" to a web config whose basic_auth_users holds the users (bcrypt hashes), mounted from a Secret (server.extraSecretMounts), as base/prometheus/values.yaml does with prometheus-basic-auth';

/**
 * Prometheus must ask for credentials itself: its API deletes series and, with the lifecycle API, stops the server.
 * An ingress controller's annotations protect only behind that controller (ingress-nginx's auth-* are ignored by
 * Traefik, HAProxy, Gateway API…), and the Service answers anyone in the cluster.
 */
export const accessCheck: Check = {
  name: 'access',
  title: 'Prometheus asks for credentials on every endpoint',
  scope: 'leaf',
  async run(ctx) {
    // Every leaf: the Prometheus servers are found by their flags and image, whichever app runs one.
    return ctx.rendered.flatMap(leafFindings);
  },
};

function leafFindings(r: RenderedLeaf): Finding[] {
  const at = { check: 'access', cluster: r.leaf.cluster.name, app: r.leaf.app, file: `${r.leaf.dir}/values.yaml` };
  return configuredContainers(r.objects)
    .filter(isPrometheus)
    .flatMap((c) => {
      const open = openness(c);
      if (open) {
        const exposed = exposures(r.objects, c.workload);
        const reach = exposed.length ? `${exposed.join(', ')} and every pod of the cluster` : 'every pod of the cluster, through its Service';
        return [{ ...at, resource: c.workload, message: `Prometheus answers without credentials (${open}): reachable by ${reach}`, hint: WEB_CONFIG_HINT }];
      }
      return reloaderFindings(r.objects, c.workload).map((message) => ({
        ...at,
        resource: c.workload,
        message,
        hint: 'give the reloader the credentials in its URL from the Secret: configmapReload.reloadUrl http://$(PROMETHEUS_USERNAME):$(PROMETHEUS_PASSWORD)@127.0.0.1:9090/-/reload with configmapReload.env from prometheus-basic-auth',
      }));
    });
}

/** Why the server answers anyone, or undefined when its web config asks for users (or client certificates). */
function openness(c: ConfiguredContainer): string | undefined {
  const path = flagValue(c.args, 'web.config.file');
  if (!path) return 'no --web.config.file';
  const found = lookupFile(c.mounts, path);
  if (found.found === 'opaque') return undefined; // a Secret made on the cluster: its content is not in Git
  if (found.found !== 'file') return `--web.config.file=${path} is not mounted, and Prometheus would not start`;
  const config: unknown = parse(found.text);
  const users = isMap(config) && isMap(config.basic_auth_users) ? Object.keys(config.basic_auth_users) : [];
  const clientAuth = isMap(config) && isMap(config.tls_server_config) ? String(config.tls_server_config.client_auth_type ?? '') : '';
  if (users.length || clientAuth === 'RequireAndVerifyClientCert') return undefined;
  return `--web.config.file=${path} sets no basic_auth_users and no required client certificates`;
}

/** Ingresses, HTTPRoutes and node or load-balancer Services that lead to the workload's pods. */
function exposures(objects: K8sObject[], workload: string): string[] {
  const pods = objects.find((o) => resourceName(o) === workload);
  const labels = isMap(pods) ? ((podTemplateLabels(pods) ?? {}) as Record<string, unknown>) : {};
  const services = objects.filter((o) => {
    const selector = isMap(o.spec) && isMap(o.spec.selector) ? o.spec.selector : undefined;
    return o.kind === 'Service' && selector && Object.entries(selector).every(([k, v]) => labels[k] === v);
  });
  const names = new Set(services.map((s) => s.metadata?.name));
  const found = services
    .filter((s) => isMap(s.spec) && (s.spec.type === 'NodePort' || s.spec.type === 'LoadBalancer'))
    .map((s) => `Service/${s.metadata?.name} (${(s.spec as Json).type})`);
  for (const o of objects) {
    const spec = isMap(o.spec) ? o.spec : {};
    if (o.kind === 'Ingress') {
      const backends = list(spec.rules).flatMap((rule) => list(isMap(rule.http) ? rule.http.paths : []).map((p) => p.backend));
      if (backends.some((b) => isMap(b) && isMap(b.service) && names.has(String(b.service.name)))) found.push(`Ingress/${o.metadata?.name} (${hosts(spec)})`);
    } else if (o.kind === 'HTTPRoute') {
      const refs = list(spec.rules).flatMap((rule) => list(rule.backendRefs));
      if (refs.some((b) => names.has(String(b.name))))
        found.push(`HTTPRoute/${o.metadata?.name} (${(Array.isArray(spec.hostnames) ? spec.hostnames : []).join(', ')})`);
    }
  }
  return found;
}

const hosts = (spec: Json) =>
  list(spec.rules)
    .map((r) => String(r.host ?? '*'))
    .join(', ');

function podTemplateLabels(o: K8sObject): unknown {
  const spec = isMap(o.spec) ? o.spec : {};
  return isMap(spec.template) && isMap(spec.template.metadata) ? spec.template.metadata.labels : undefined;
}

/** A config reloader beside an authenticating Prometheus that posts without credentials gets 401: changes never load. */
function reloaderFindings(objects: K8sObject[], workload: string): string[] {
  const o = objects.find((x) => resourceName(x) === workload);
  if (!o) return [];
  return list(podSpec(o).containers).flatMap((c) => {
    const args = (Array.isArray(c.args) ? c.args : []).map(String);
    const url = flagValue(args, 'reload-url');
    if (!url) return [];
    let user = '';
    try {
      user = new URL(url).username;
    } catch {
      return [`the config reloader's --reload-url=${url} does not parse`];
    }
    return user
      ? []
      : [
          `the config reloader (container ${String(c.name)}) posts to ${url} without credentials; Prometheus answers 401, so config and rule changes never load`,
        ];
  });
}
