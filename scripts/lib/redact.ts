/** Where a URL starts: a scheme and `//`. Every repetition here is bounded, so a long line never backtracks quadratically. */
const SCHEME = /\b[a-z][a-z0-9+.-]{0,31}:\/\//gi;
/** Query (or fragment: OAuth's #access_token=) parameters whose value is a credential (`?token=`, `&X-Amz-Signature=`, `?pass=`, …). */
const SECRET_PARAM = /([?&;#][^=&#\s'"<>]{0,64}(?:token|key|secret|pass|pwd|sig|auth|credential|session|code)[^=&#\s'"<>]{0,64}=)[^&#\s'"<>]+/gi;

/** URLs whose path is the credential: Slack's incoming webhooks. */
const SECRET_PATH = /(https?:\/\/hooks\.slack\.com\/(?:services|workflows)\/)[^\s'"<>]+/gi;

/** scp-like Git remotes and scheme-less URLs with a password: `user:password@host.name:path` (no scheme to find them by). */
const SCHEMELESS_PASSWORD = /(^|[\s'"<>=(])[^\s/@'"<>:]{1,256}:[^\s/@'"<>]{1,256}@(?=[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})+[:/])/gi;

/** How far user information is looked for after a scheme: a bound that keeps redaction linear on long lines. */
const MAX_USERINFO = 4096;
/** A password with a blank in it is typed by a person: short. */
const MAX_SPACED_USERINFO = 256;

/**
 * Replaces credentials in every URL of `text` with ***: the user and password (or token) before the host,
 * whatever they hold (`/`, spaces, `:`, line breaks), the values of credential-like query parameters, and webhook paths that are themselves the secret. Everything
 * else is kept; when in doubt, more is hidden rather than less.
 */
export function redactUrls(text: string): string {
  let out = '';
  let copied = 0;
  for (const match of text.matchAll(SCHEME)) {
    const start = match.index + match[0].length;
    if (start < copied) continue;
    const end = credentialsEnd(text, start);
    out += text.slice(copied, start) + (end > start ? '***@' : '');
    copied = end;
  }
  return (out + text.slice(copied)).replace(SECRET_PARAM, '$1***').replace(SECRET_PATH, '$1***').replace(SCHEMELESS_PASSWORD, '$1***@');
}

/** The index just past the `@` that ends a URL's user information starting at `start`, or `start` when it has none. */
function credentialsEnd(text: string, start: number): number {
  const rest = text.slice(start, start + MAX_USERINFO);
  // Up to the first space or quote: the last @ before any ? or # ends the user information (a / in a password too).
  const token = /^[^\s'"<>]*/.exec(rest)![0].split(/[?#]/)[0]!;
  const at = token.lastIndexOf('@');
  if (at >= 0) return start + at + 1;
  // user:pass with a blank or a line break in the password (URL parsers drop tabs and line breaks): a colon that
  // starts no port, and an @ further on, never past a quote (JSON output stays valid; an escaped \" is crossed).
  const spaced = /^[^\s/?#@:'"<>]*:(?!\d*(?:[/?#\s'"<>]|$))(?:[^@'"<>\\]|\\.)*?@/.exec(rest.slice(0, MAX_SPACED_USERINFO));
  return spaced ? start + spaced[0].length : start;
}

/** Whether a URL carries credentials (user, password or token before the host, or in its query). */
export function hasUrlCredentials(url: string): boolean {
  if (redactUrls(url) !== url) return true;
  // What a client sends: URL parsers drop tabs and line breaks, so `https://user:pa<newline>ss@host` has a password.
  try {
    const parsed = new URL(url);
    return Boolean(parsed.username || parsed.password || redactUrls(parsed.href) !== parsed.href);
  } catch {
    return false;
  }
}

/**
 * Redacts everything this process prints: whatever a message, a tool's output or a report quotes, no URL credential
 * reaches a log. A URL cut between two writes is held back until its end arrives (or the process exits).
 */
export function redactProcessOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    let held = '';
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
      if (text === undefined) return write(chunk, ...rest);
      const [ready, tail] = splitUnfinishedWord(held + text);
      const redacted = redactUrls(ready);
      const unchanged = !held && !tail && redacted === text;
      held = tail;
      return write(unchanged ? chunk : redacted, ...rest);
    }) as typeof stream.write;
    process.on('exit', () => void (held && write(redactUrls(held))));
  }
}

/** Text ending in a word that holds a `:` (a URL, perhaps cut in its credentials): the text before it, and the word. */
function splitUnfinishedWord(text: string): [ready: string, tail: string] {
  let at = text.length;
  while (at > 0 && text.length - at < MAX_USERINFO && !/\s/.test(text[at - 1]!)) at--;
  const word = text.slice(at);
  return word.includes(':') && word.length < MAX_USERINFO ? [text.slice(0, at), word] : [text, ''];
}
