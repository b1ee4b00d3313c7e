import { isMap } from '../../../scripts/lib/values.ts';

/**
 * Where a loaded config differs from the one written: every value of `written` must be in `loaded` at the
 * same place (the program adds its defaults, which are not differences; it hides secrets as `<secret>`). Pure.
 */
export function configDifferences(written: unknown, loaded: unknown, at = ''): string[] {
  if (isMap(written) && isMap(loaded)) written = asLoaded(written, loaded);
  if (isMap(written)) {
    if (!isMap(loaded)) return [`${at || 'the config'}: loaded ${describe(loaded)}, written a map`];
    return Object.entries(written).flatMap(([key, value]) =>
      value === null || value === undefined ? [] : configDifferences(value, loaded[key], at ? `${at}.${key}` : key),
    );
  }
  if (Array.isArray(written)) {
    if (!Array.isArray(loaded) || loaded.length !== written.length)
      return [`${at}: loaded ${Array.isArray(loaded) ? `${loaded.length} entries` : describe(loaded)}, written ${written.length}`];
    return written.flatMap((value, i) => configDifferences(value, loaded[i], `${at}[${i}]`));
  }
  if (loaded === '<secret>' || sameScalar(written, loaded)) return [];
  return [`${at}: loaded ${describe(loaded)}, written ${describe(written)}`];
}

const describe = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));

// YAML round trips change spelling, not meaning: 10 vs "10", 1m vs 60s, a regex Prometheus anchors itself.
function sameScalar(written: unknown, loaded: unknown): boolean {
  if (String(written) === String(loaded)) return true;
  const seconds = (v: unknown) => {
    const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(String(v));
    return m && String(v) !== '' ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) + Number(m[4] ?? 0) / 1000 : undefined;
  };
  const a = seconds(written);
  return a !== undefined && a === seconds(loaded);
}

// Prometheus loads the deprecated bearer_token(_file) as authorization credentials(_file) of type Bearer.
function asLoaded(written: Record<string, unknown>, loaded: Record<string, unknown>): Record<string, unknown> {
  const { bearer_token_file, bearer_token, ...rest } = written;
  if ((bearer_token_file === undefined && bearer_token === undefined) || !isMap(loaded.authorization)) return written;
  return {
    ...rest,
    authorization: {
      type: 'Bearer',
      ...(bearer_token_file !== undefined ? { credentials_file: bearer_token_file } : {}),
      ...(bearer_token !== undefined ? { credentials: bearer_token } : {}),
    },
  };
}
