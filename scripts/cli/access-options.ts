import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ArgoCdConnection } from '../argocd/api.ts';
import { EnvironmentError, UsageError } from '../lib/errors.ts';
import { hasUrlCredentials, redactUrls } from '../lib/redact.ts';
import type { GateAccess } from '../promote/gate/check.ts';

/** The flags of drift and promote that say where Argo CD and the clusters are, as parseArgs options. */
export const ACCESS_OPTIONS = {
  'argocd-url': { type: 'string' },
  'argocd-ca': { type: 'string' },
  kubeconfig: { type: 'string', multiple: true },
  alertmanager: { type: 'string', multiple: true },
} as const;

interface AccessValues {
  'argocd-url'?: string;
  'argocd-ca'?: string;
  kubeconfig?: string[];
  alertmanager?: string[];
}

/** CLUSTER=VALUE pairs of a repeatable flag, as a map. */
function clusterPairs(flag: string, pairs: string[], example: string, value: (v: string) => string): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new UsageError(`--${flag} ${pair}: write CLUSTER=${flag === 'kubeconfig' ? 'FILE' : 'URL'} (for example ${example})`);
      return [pair.slice(0, at), value(pair.slice(at + 1))];
    }),
  );
}

/** --argocd-url with ARGOCD_TOKEN (and --argocd-ca): the Argo CD connection, or none. */
export function argoCdOption(values: AccessValues): ArgoCdConnection | undefined {
  const url = values['argocd-url'];
  if (!url) {
    if (values['argocd-ca']) throw new UsageError('--argocd-ca needs --argocd-url');
    return undefined;
  }
  if (hasUrlCredentials(url))
    throw new UsageError(`--argocd-url ${redactUrls(url)} carries credentials; remove them from the URL and put an Argo CD token in ARGOCD_TOKEN`);
  const token = process.env.ARGOCD_TOKEN ?? '';
  if (!token) throw new EnvironmentError('--argocd-url needs ARGOCD_TOKEN (argocd account generate-token)');
  const caFile = values['argocd-ca'];
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (err) {
      throw new UsageError(
        `--argocd-ca ${caFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; give the PEM file of the CA that signed argocd-server's certificate`,
      );
    }
  }
  return { url, token, ...(ca ? { ca } : {}) };
}

/** --kubeconfig CLUSTER=FILE pairs (drift: one per cluster it compares). */
export function kubeconfigPairs(values: AccessValues): Record<string, string> {
  return clusterPairs('kubeconfig', values.kubeconfig ?? [], 'prod-eu-1=~/.kube/prod-eu-1', (f) => resolve(f));
}

/**
 * Where a promotion gate reads the running environment: Argo CD, and per cluster a kubeconfig
 * (`--kubeconfig CLUSTER=FILE`, or `--kubeconfig FILE` with one context named after each cluster) or
 * Alertmanager's own URL (`--alertmanager CLUSTER=URL`).
 */
export function gateAccessOptions(values: AccessValues): GateAccess {
  const plain = (values.kubeconfig ?? []).filter((k) => !k.includes('='));
  if (plain.length > 1) throw new UsageError(`--kubeconfig ${plain[1]}: give one kubeconfig with a context per cluster, or CLUSTER=FILE pairs`);
  const alertmanagers = clusterPairs('alertmanager', values.alertmanager ?? [], 'dev-1=https://alertmanager.dev-1.example.com', (url) => {
    if (!/^https?:\/\/\S+$/.test(url)) throw new UsageError(`--alertmanager …=${redactUrls(url)}: give Alertmanager's http(s) URL`);
    return url;
  });
  return {
    argocd: argoCdOption(values),
    kubeconfigs: kubeconfigPairs({ kubeconfig: (values.kubeconfig ?? []).filter((k) => k.includes('=')) }),
    ...(plain[0] ? { kubeconfigContexts: resolve(plain[0]) } : {}),
    alertmanagers,
  };
}
