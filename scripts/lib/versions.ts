import semver from 'semver';

/**
 * Chart and tool versions compared by Semantic Versioning 2.0 (`semver`, the library npm itself uses):
 * pre-releases before their release, build metadata ignored. A version that is not semver is coerced
 * (`1.26` → `1.26.0`), so `1.10` still sorts after `1.9`.
 */
function parsed(version: string): semver.SemVer | undefined {
  return semver.parse(version.trim(), { loose: true }) ?? semver.coerce(version) ?? undefined;
}

/** Negative when a < b, positive when a > b, 0 when equal. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [parsed(a), parsed(b)];
  if (!x || !y) return a.localeCompare(b, 'en', { numeric: true });
  return semver.compare(x, y);
}

/** A release with no pre-release part (`29.27.0`, not `30.0.0-rc.1`). */
export const isStableVersion = (version: string) => semver.valid(version, { loose: true }) !== null && !semver.prerelease(version, { loose: true });

/** patch, minor or major: the size of a version change. */
export function versionGap(from: string, to: string): 'major' | 'minor' | 'patch' | 'none' {
  const [x, y] = [parsed(from), parsed(to)];
  if (!x || !y || semver.compare(x, y) === 0) return 'none';
  if (x.major !== y.major) return 'major';
  return x.minor !== y.minor ? 'minor' : 'patch';
}
