/** Where a URL starts: a scheme and `//`. */
const SCHEME = /\b[a-z][a-z0-9+.-]*:\/\//gi;
/** Query parameters whose value is a credential (`?token=`, `&X-Amz-Signature=`, `?sig=`, `?api_key=`, …). */
const SECRET_PARAM = /([?&;][^=&#\s'"<>]*(?:token|key|secret|passw|pwd|sig|auth|credential|session|code)[^=&#\s'"<>]*=)[^&#\s'"<>]+/gi;

/** URLs whose path is the credential: Slack's incoming webhooks. */
const SECRET_PATH = /(https:\/\/hooks\.slack\.com\/(?:services|workflows)\/)[^\s'"<>]+/gi;

/**
 * Replaces credentials in every URL of `text` with ***: the user and password (or token) before the host,
 * whatever they hold (`/`, spaces, `:`), the values of credential-like query parameters, and webhook paths that are themselves the secret. Everything
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
  return (out + text.slice(copied)).replace(SECRET_PARAM, '$1***').replace(SECRET_PATH, '$1***');
}

/** The index just past the `@` that ends a URL's user information starting at `start`, or `start` when it has none. */
function credentialsEnd(text: string, start: number): number {
  const newline = text.indexOf('\n', start);
  const line = text.slice(start, newline < 0 ? undefined : newline);
  // Up to the first space or quote: the last @ before any ? or # ends the user information (a / in a password too).
  const token = /^[^\s'"<>]*/.exec(line)![0].split(/[?#]/)[0]!;
  const at = token.lastIndexOf('@');
  if (at >= 0) return start + at + 1;
  // user:pass with a space in the password: a colon that starts no port, and an @ further on the line.
  const spaced = /^[^\s/?#@:'"<>]*:(?!\d*(?:[/?#\s'"<>]|$))[^\n@]*?@/.exec(line);
  return spaced ? start + spaced[0].length : start;
}

/** Whether a URL carries credentials (user, password or token before the host, or in its query). */
export function hasUrlCredentials(url: string): boolean {
  return redactUrls(url) !== url;
}

/** Redacts everything this process prints: whatever a message, a tool's output or a report quotes, no URL credential reaches a log. */
export function redactProcessOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
      const redacted = text === undefined ? text : redactUrls(text);
      return write(redacted === undefined || redacted === text ? chunk : redacted, ...rest);
    }) as typeof stream.write;
  }
}
