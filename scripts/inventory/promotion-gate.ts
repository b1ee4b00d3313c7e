/** A promotion gate's settings, as fleet.yaml's `promotion.<environment>` writes them, parsed. Pure. */

/** One Alertmanager matcher: `name op value` (op one of = != =~ !~). */
export interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** What an environment must prove before its pins move on, read from fleet.yaml. */
export interface PromotionGate {
  /** How long the promoted pins must have run Synced and Healthy (or, without requireHealthy, been on the branch). */
  soakSeconds: number;
  /** Every source cluster's Application of each promoted app Synced and Healthy at the pin, read from Argo CD. */
  requireHealthy: boolean;
  /** An active alert matching every matcher of any entry blocks the promotion. */
  blockingAlerts: { text: string; matchers: Matcher[] }[];
}

/** fleet.yaml's form of a gate. */
export interface PromotionGateSpec {
  soak?: string;
  requireHealthy?: boolean;
  blockingAlerts?: string[];
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `24h`, `90m`, `1d12h` in seconds; undefined when it is not such a duration. */
export function parseDuration(text: string): number | undefined {
  if (!/^(\d+[smhdw])+$/.test(text)) return undefined;
  let seconds = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([smhdw])/g)) seconds += Number(n) * UNIT_SECONDS[unit!]!;
  return seconds;
}

/** Seconds as the shortest plain phrase: 45 s, 90 min, 3 h, 1.5 d. */
export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${+(seconds / 3600).toFixed(1)} h`;
  return `${+(seconds / 86_400).toFixed(1)} d`;
}

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Matchers as Alertmanager and amtool write them: `severity="critical"`, or several in braces,
 * `{severity=~"critical|warning",team="platform"}`; values quoted (with \" \\ \n escapes) or bare.
 */
export function parseMatchers(text: string): { matchers: Matcher[] } | { problem: string } {
  let rest = text.trim();
  if (rest.startsWith('{')) {
    if (!rest.endsWith('}')) return { problem: `'${text}' opens a brace it does not close` };
    rest = rest.slice(1, -1).trim();
  }
  const matchers: Matcher[] = [];
  while (rest.length) {
    const head = /^([^=!~"\s,]+)\s*(=~|!~|!=|=)\s*/.exec(rest);
    if (!head) return { problem: `'${text}': expected name="value" at '${rest}'` };
    const [, name, op] = head;
    if (!NAME.test(name!)) return { problem: `'${text}': '${name}' is not a label name` };
    rest = rest.slice(head[0].length);
    const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
    const bare = quoted ? undefined : /^[^,"\s{}]*/.exec(rest);
    const raw = quoted ? quoted[0] : bare![0];
    const value = quoted ? quoted[1]!.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c)) : raw;
    if (op!.includes('~')) {
      try {
        new RegExp(`^(?:${value})$`);
      } catch {
        return { problem: `'${text}': ${name}${op}"${value}" is not a valid regular expression` };
      }
    }
    matchers.push({ name: name!, op: op as Matcher['op'], value });
    rest = rest.slice(raw.length).trim();
    if (rest.startsWith(',')) rest = rest.slice(1).trim();
    else if (rest.length) return { problem: `'${text}': expected ',' before '${rest}'` };
  }
  if (!matchers.length) return { problem: `'${text}' has no matcher; write for example severity="critical"` };
  return { matchers };
}

/** One matcher as Alertmanager's API v2 `filter` parameter takes it. */
export const matcherFilter = (m: Matcher) => `${m.name}${m.op}${JSON.stringify(m.value)}`;

/** The gate of fleet.yaml's spec; callers checked the spec already (cross-checks report bad durations and matchers). */
export function readGate(spec: PromotionGateSpec): PromotionGate {
  return {
    soakSeconds: spec.soak ? (parseDuration(spec.soak) ?? 0) : 0,
    requireHealthy: spec.requireHealthy ?? false,
    blockingAlerts: (spec.blockingAlerts ?? []).flatMap((text) => {
      const parsed = parseMatchers(text);
      return 'matchers' in parsed ? [{ text, matchers: parsed.matchers }] : [];
    }),
  };
}
