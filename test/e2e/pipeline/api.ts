import { basicAuthHeaders, type BasicAuth } from './auth.ts';
import type { DrillNamespace } from './namespace.ts';

/**
 * Prometheus' HTTP API v1 and Alertmanager's v2, read from inside the drill's namespace. Every request to
 * Prometheus signs in with `auth` (Prometheus asks every path for it, /-/ready included).
 */
export class RuntimeApi {
  constructor(
    private readonly ns: DrillNamespace,
    readonly prometheus: string,
    readonly alertmanager: string,
    private readonly auth?: BasicAuth,
  ) {}

  /** `data` of a Prometheus API answer; throws with Prometheus' own error text otherwise. */
  async prom<T>(path: string, params: Record<string, string | string[]> = {}): Promise<T> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const one of [v].flat()) query.append(k, one);
    const url = `http://${this.prometheus}${path}${query.size ? `?${query}` : ''}`;
    const response = await this.ns.fetch({ url, headers: basicAuthHeaders(this.auth) });
    let body: { status?: string; data?: T; error?: string } = {};
    try {
      body = JSON.parse(response.body || '{}');
    } catch {
      // Not JSON: a 401's "Unauthorized", say; the status and the text tell.
    }
    if (response.status !== 200 || body.status !== 'success')
      throw new Error(`Prometheus ${path}: ${response.status} ${body.error ?? response.body.slice(0, 300)}`);
    return body.data as T;
  }

  async alertmanagerStatus(): Promise<{ config: { original: string } }> {
    const response = await this.ns.fetch(`http://${this.alertmanager}/api/v2/status`);
    if (response.status !== 200) throw new Error(`Alertmanager /api/v2/status: ${response.status} ${response.body.slice(0, 300)}`);
    return JSON.parse(response.body);
  }

  /** True once /-/ready answers 200; throws otherwise (nothing listening yet, 503 while starting, 401), and waitFor shows the last. */
  async ready(which: 'prometheus' | 'alertmanager'): Promise<boolean> {
    const url = `http://${this[which]}/-/ready`;
    const response = await this.ns.fetch({ url, headers: which === 'prometheus' ? basicAuthHeaders(this.auth) : {} });
    if (response.status !== 200) throw new Error(`${url} answered ${response.status} ${response.body.slice(0, 200).trim()}`);
    return true;
  }
}

export interface Target {
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl?: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

export interface RuleGroup {
  name: string;
  file: string;
  rules: { name: string; query: string; type: 'alerting' | 'recording'; health: string; lastError?: string; state?: string }[];
}

export interface ActiveAlert {
  labels: Record<string, string>;
  state: string;
}

/** Polls `probe` every `everyMs` until it returns something other than undefined, or throws `what` at the deadline. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, everyMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
