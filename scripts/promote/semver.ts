/** Semantic versions as chart versions use them: x.y.z with optional pre-release; build metadata ignored. */
export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
}

export function parseSemver(version: string): SemVer | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(version.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] ? m[4].split('.') : [] };
}

/** Negative when a < b, positive when a > b, 0 when equal; pre-releases sort before their release. */
export function compareSemver(a: string, b: string): number {
  const x = parseSemver(a);
  const y = parseSemver(b);
  if (!x || !y) return a.localeCompare(b);
  for (const key of ['major', 'minor', 'patch'] as const) if (x[key] !== y[key]) return x[key] - y[key];
  if (!x.prerelease.length || !y.prerelease.length) return y.prerelease.length - x.prerelease.length;
  for (let i = 0; i < Math.max(x.prerelease.length, y.prerelease.length); i++) {
    const [p, q] = [x.prerelease[i], y.prerelease[i]];
    if (p === undefined || q === undefined) return p === undefined ? -1 : 1;
    const numeric = /^\d+$/.test(p) && /^\d+$/.test(q);
    const c = numeric ? Number(p) - Number(q) : p.localeCompare(q);
    if (c) return c;
  }
  return 0;
}

/** patch, minor or major: the size of a version change. */
export function versionGap(from: string, to: string): 'major' | 'minor' | 'patch' | 'none' {
  const x = parseSemver(from);
  const y = parseSemver(to);
  if (!x || !y || compareSemver(from, to) === 0) return 'none';
  if (x.major !== y.major) return 'major';
  return x.minor !== y.minor ? 'minor' : 'patch';
}
