import type { Finding } from '../lib/findings.ts';
import { redactUrls } from '../lib/redact.ts';
import { positionOf } from '../lib/yaml.ts';
import type { CheckedFile } from './parse-files.ts';
import type { Fleet } from './types.ts';

/** What a URL written into generated files may be: its schemes, and whether loopback http is allowed. */
interface UrlKind {
  schemes: string[];
  /** http:// to a loopback address: no one is on that path (local mirrors in tests). */
  loopbackHttp?: boolean;
  /** ssh:// and git@host:path may name a user (never a password). */
  sshUser?: boolean;
  /** What the URL is for, in the finding. */
  what: string;
  /** Where credentials belong instead. */
  credentialsGoTo: string;
}

const GIT_REMOTE: UrlKind = {
  schemes: ['https:', 'ssh:'],
  sshUser: true,
  what: 'a Git URL Argo CD clones',
  credentialsGoTo: 'give Argo CD the credentials in a repository Secret (README: Bootstrap), never in the URL: it is written into every Application',
};
const CHART_REPO: UrlKind = {
  schemes: ['https:', 'oci:'],
  what: 'a chart repository URL',
  credentialsGoTo: 'keep chart repository credentials out of Git (the repo-server reads public or mirrored repositories)',
};
const CHART_MIRROR: UrlKind = { ...CHART_REPO, loopbackHttp: true, what: 'a chart mirror Argo CD pulls from' };

/** Why `url` must not be written into the generated tree, or undefined when it may. Pure. */
export function urlProblem(url: string, kind: UrlKind): { message: string; hint: string } | undefined {
  const shown = JSON.stringify(redactUrls(url));
  const scp = /^([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+):(?!\/\/)(\S+)$/.exec(url);
  if (scp && kind.sshUser) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { message: `${shown} is not a URL`, hint: `write ${kind.what}, for example https://github.com/acme/monitoring-gitops.git` };
  }
  const loopback = parsed.protocol === 'http:' && kind.loopbackHttp && isLoopback(parsed.hostname);
  if (!kind.schemes.includes(parsed.protocol) && !loopback)
    return {
      message: `${shown} uses ${parsed.protocol}// where ${kind.schemes.map((s) => `${s}//`).join(' or ')} is required`,
      hint: parsed.protocol === 'http:' ? 'use https://: over plain http:// anyone on the path could swap what Argo CD deploys' : `write ${kind.what}`,
    };
  if (!parsed.hostname) return { message: `${shown} has no host`, hint: `write ${kind.what} with its host name` };
  if (parsed.password || (parsed.username && !(kind.sshUser && parsed.protocol === 'ssh:')))
    return { message: `${shown} carries credentials before the host`, hint: `remove them from the URL and rotate them; ${kind.credentialsGoTo}` };
  if (parsed.search || parsed.hash)
    return {
      message: `${shown} has a query or fragment`,
      hint: `remove the ?… and #… parts (a token in a query string is a credential); ${kind.credentialsGoTo}`,
    };
  // What was checked is the parsed URL; the text is what Argo CD, git and helm read, and their parsers differ on other spellings.
  if (parsed.href !== url && parsed.href !== `${url}/`)
    return {
      message: `${shown} is not written the way URL parsers agree on (${JSON.stringify(redactUrls(parsed.href))})`,
      hint: `write ${parsed.href}: a backslash, a space, a short or hex IP address or upper case is read differently by Go (Argo CD, helm) and curl (git), which could fetch from another host than the one checked`,
    };
  return undefined;
}

const isLoopback = (host: string) => host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** Every URL of fleet.yaml (when it passed its schema) and the pins that the generator writes into Applications and leaves. */
export function checkInventoryUrls(fleet: CheckedFile<Fleet> | undefined, pinFiles: CheckedFile<unknown>[]): Finding[] {
  const findings: Finding[] = [];
  const check = (file: CheckedFile<unknown>, path: string[], url: string, kind: UrlKind, atKey = false) => {
    const problem = urlProblem(url, kind);
    if (problem)
      findings.push({ file: file.source.file, ...positionOf(file.source, path, atKey), message: `${path.join('.')}: ${problem.message}`, hint: problem.hint });
  };
  if (fleet) check(fleet, ['repoURL'], fleet.data.repoURL, GIT_REMOTE);
  for (const [from, to] of Object.entries(fleet?.data.chartMirrors ?? {})) {
    check(fleet!, ['chartMirrors', from], from, CHART_REPO, true);
    check(fleet!, ['chartMirrors', from], to, CHART_MIRROR);
  }
  for (const pins of pinFiles)
    for (const [app, pin] of Object.entries((pins.data ?? {}) as Record<string, { repoURL?: unknown }>))
      if (typeof pin?.repoURL === 'string') check(pins, [app, 'repoURL'], pin.repoURL, CHART_REPO);
  return findings;
}
