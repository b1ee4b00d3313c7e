/**
 * Go's `filepath.Match` on Linux, which Argo CD uses for an AppProject's kind, group and name patterns: `*` is any
 * run of characters but `/`, `?` one such character, `[…]` a class (`[^…]` negated, `a-z` ranges), `\` escapes.
 * A malformed pattern matches nothing, as Go returns an error that Argo CD treats as no match.
 */
export function pathMatch(pattern: string, name: string): boolean {
  return toRegex(pattern)?.test(name) ?? false;
}

function toRegex(pattern: string): RegExp | undefined {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\') {
      if (++i >= pattern.length) return undefined;
      out += escapeRegex(pattern[i]!);
    } else if (c === '[') {
      const end = classEnd(pattern, i + 1);
      if (end < 0) return undefined;
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith('^');
      if (negated) body = body.slice(1);
      if (!body) return undefined;
      out += `[${negated ? '^' : ''}${body.replace(/\\(.)/g, (_, ch: string) => escapeRegex(ch)).replace(/[\]]/g, '\\]')}${negated ? '/' : ''}]`;
      i = end;
    } else out += escapeRegex(c);
  }
  return new RegExp(`^${out}$`);
}

/** Index of the `]` closing a class opened before `from`, or -1. */
function classEnd(pattern: string, from: number): number {
  for (let i = from; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === ']' && i > from) return i;
  }
  return -1;
}

const escapeRegex = (c: string) => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
