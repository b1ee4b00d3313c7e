import { isMap } from '../../../scripts/lib/values.ts';
import { flagValue } from '../../../scripts/validate/pod-files.ts';
import { expandEnv } from './launch.ts';

/**
 * How Prometheus' clients sign in, each as its own program does (pure): the drill with the live Secret,
 * the config reloader through its URL (Go's http client), Grafana through its provisioned data source.
 */
export interface BasicAuth {
  username: string;
  password: string;
}

/** The Secret whose `username` and `password` Prometheus' web config accepts (bootstrap/cluster-secrets.yaml). */
export const PROMETHEUS_AUTH_SECRET = 'prometheus-basic-auth';

/** The Authorization header of HTTP basic authentication, as Go's `Request.SetBasicAuth` writes it. */
export function basicAuthHeaders(auth: BasicAuth | undefined): Record<string, string> {
  return auth ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } : {};
}

/** The credentials the drill signs in to Prometheus with: keys `username` and `password` of the live Secret. */
export function secretCredentials(secrets: Map<string, Record<string, string>>, name = PROMETHEUS_AUTH_SECRET): BasicAuth | { problem: string } {
  const secret = secrets.get(name);
  if (!secret) return { problem: `the Secret ${name} (Prometheus' credentials) is not on the cluster` };
  const missing = ['username', 'password'].filter((k) => !secret[k]);
  if (missing.length)
    return { problem: `the Secret ${name} has no ${missing.join(' and no ')} (it has ${Object.keys(secret).sort().join(', ') || 'no keys'})` };
  return { username: secret.username!, password: secret.password! };
}

/** prometheus-config-reloader's `--reload-url` when its args leave it out (its --help). */
export const RELOADER_DEFAULT_URL = 'http://127.0.0.1:9090/-/reload';

/** Where a config reloader posts, as the kubelet starts it and Go's http client sends it, on the pod's address. */
export type ReloadRequest = { container: string; written: string; url: string; auth?: BasicAuth } | { container: string; problem: string };

/**
 * The config reloader among the pod's containers (one with `--reload-url`, or prometheus-config-reloader's or
 * configmap-reload's image) and the request it makes: `--reload-url` with `$(NAME)` expanded from `env` as the
 * kubelet does, its userinfo turned into basic authentication (what Go's http.Client does with a URL's
 * userinfo, percent-decoded), and a loopback host moved to `podIP` (in a pod, localhost is the pod's own).
 * Undefined when no container reloads; `signal` when it reloads by signal, not over HTTP.
 */
export function reloadRequest(
  containers: Record<string, unknown>[],
  envOf: (container: Record<string, unknown>) => Map<string, string>,
  podIP: string,
): ReloadRequest | 'signal' | undefined {
  const argsOf = (c: Record<string, unknown>) =>
    [...(Array.isArray(c.command) ? c.command.slice(1) : []), ...(Array.isArray(c.args) ? c.args : [])].map(String);
  const reloader = containers.find(
    (c) => flagValue(argsOf(c), 'reload-url') !== undefined || /(prometheus-config-reloader|configmap-reload)(:|@|$)/.test(String(c.image ?? '')),
  );
  if (!reloader) return undefined;
  const container = String(reloader.name ?? '?');
  const args = argsOf(reloader);
  if (flagValue(args, 'reload-method') === 'signal') return 'signal';
  const written = flagValue(args, 'reload-url') ?? RELOADER_DEFAULT_URL;
  const expanded = expandEnv(written, envOf(reloader));
  const unset = [...expanded.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((m) => m[1]!);
  if (unset.length) return { container, problem: `--reload-url=${written} names ${unset.map((n) => `$(${n})`).join(', ')}, which its env does not set` };
  const request = goClientRequest(expanded);
  if ('problem' in request) return { container, problem: `--reload-url=${written}: ${request.problem}` };
  return { container, written, url: onPod(request.url, podIP), ...(request.auth ? { auth: request.auth } : {}) };
}

/** A URL as Go's http.Client sends it: userinfo (percent-decoded) becomes basic authentication and leaves the URL. */
export function goClientRequest(url: string): { url: string; auth?: BasicAuth } | { problem: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: 'not a URL' };
  }
  if (!/^https?:$/.test(parsed.protocol)) return { problem: `scheme ${parsed.protocol} is not http or https` };
  const hasUserinfo = parsed.username !== '' || parsed.password !== '';
  let auth: BasicAuth | undefined;
  try {
    auth = hasUserinfo ? { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) } : undefined;
  } catch {
    return { problem: 'its userinfo is not validly percent-encoded' };
  }
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString(), ...(auth ? { auth } : {}) };
}

/** `url` with a loopback host (127.0.0.1, localhost, ::1) moved to the pod's address. */
export function onPod(url: string, podIP: string): string {
  const parsed = new URL(url);
  if (['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)) parsed.hostname = podIP;
  return parsed.toString();
}

/**
 * A text of Grafana's provisioning with the environment expanded as Grafana does: `$$` is a literal `$`,
 * `$__env{NAME}`, then `${NAME}` and `$NAME` as Go's os.ExpandEnv (an unset name expands to nothing). Returns
 * the unset names and the expanders the drill does not run (`$__file{…}`, `$__vault{…}`).
 */
export function grafanaExpand(text: string, env: Map<string, string>): { value: string; unset: string[]; unsupported: string[] } {
  const unset: string[] = [];
  const unsupported: string[] = [];
  const lookup = (name: string) => {
    if (!env.has(name)) unset.push(name);
    return env.get(name) ?? '';
  };
  // Grafana's expanders first, then the environment, in each part between `$$`.
  const parts = text.split('$$').map((part) => {
    const expanded = part.replace(/\$__(\w+)\{(.*?)\}/g, (match, kind: string, argument: string) => {
      if (kind === 'env') return lookup(argument);
      unsupported.push(match);
      return match;
    });
    return goExpand(expanded, lookup);
  });
  // What an expander the drill does not run yields is unknown: the text as written, nothing said unset.
  if (unsupported.length) return { value: text, unset: [], unsupported };
  return { value: parts.join('$'), unset: [...new Set(unset)], unsupported };
}

/** Go's os.Expand: `${name}`, `$name` (letters, digits, underscore) and the one-character shell specials. */
function goExpand(s: string, mapping: (name: string) => string): string {
  const special = (c: string | undefined) => c !== undefined && /^[*#$@!?\-0-9]$/.test(c);
  let out = '';
  let i = 0;
  for (let j = 0; j < s.length; j++) {
    if (s[j] !== '$' || j + 1 >= s.length) continue;
    out += s.slice(i, j);
    const rest = s.slice(j + 1);
    let name = '';
    let width = 0;
    if (rest[0] === '{') {
      if (rest.length > 2 && special(rest[1]) && rest[2] === '}') [name, width] = [rest[1]!, 3];
      else {
        const close = rest.indexOf('}');
        // `${}` and an unclosed `${` are bad syntax: Go eats them.
        [name, width] = close === -1 ? ['', 1] : close === 1 ? ['', 2] : [rest.slice(1, close), close + 1];
      }
    } else if (special(rest[0])) [name, width] = [rest[0]!, 1];
    else {
      width = /^[A-Za-z0-9_]*/.exec(rest)![0].length;
      name = rest.slice(0, width);
    }
    if (name === '' && width === 0) out += '$';
    else if (name !== '') out += mapping(name);
    j += width;
    i = j + 1;
  }
  return out + s.slice(i);
}

/** A provisioned Grafana data source, as far as the drill reads it. */
export interface Datasource {
  name?: string;
  type?: string;
  url?: string;
  basicAuth?: boolean;
  basicAuthUser?: string;
  secureJsonData?: { basicAuthPassword?: string };
  jsonData?: { timeInterval?: string };
}

/**
 * The credentials Grafana signs in to the data source with: none unless `basicAuth: true`; otherwise
 * `basicAuthUser` and `secureJsonData.basicAuthPassword` expanded from the Grafana container's env.
 * `problems`: names its env does not set, expanders the drill cannot run, an empty user or password.
 */
export function datasourceCredentials(source: Datasource, env: Map<string, string>): { auth?: BasicAuth; problems: string[] } {
  if (source.basicAuth !== true) return { problems: [] };
  const problems: string[] = [];
  const field = (name: string, text: unknown) => {
    const written = typeof text === 'string' ? text : '';
    const { value, unset, unsupported } = grafanaExpand(written, env);
    for (const n of unset) problems.push(`${name} ${written} names ${n}, which the Grafana container's env does not set (Grafana expands it to nothing)`);
    for (const u of unsupported) problems.push(`${name} uses ${u}, which the drill does not expand`);
    if (!value && !unset.length) problems.push(`${name} is empty`);
    return value;
  };
  const secure = isMap(source.secureJsonData) ? source.secureJsonData : {};
  const username = field('basicAuthUser', source.basicAuthUser);
  const password = field('secureJsonData.basicAuthPassword', secure.basicAuthPassword);
  return { auth: { username, password }, problems };
}
