/** user:password@ (or token@) in any URL-looking text: the part that must never reach a log. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"<>]+@/gi;

/** Replaces credentials inside URLs with ***; everything else is kept. */
export function redactUrls(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1***@');
}

/** Whether a URL carries credentials (user, password or token before the host). */
export function hasUrlCredentials(url: string): boolean {
  return redactUrls(url) !== url;
}
