import type { Route } from './routes/route.ts';

/**
 * Documented query parameters and body fields the route does not honour. The contract check has already
 * rejected undocumented ones; these would be silently ignored, so a test relying on them would lie.
 */
export function unimplementedInputs(route: Route, url: URL, body: unknown): string[] {
  const query = [...new Set(url.searchParams.keys())].filter((name) => !(route.query ?? []).includes(name)).map((name) => `query parameter '${name}'`);
  const fields = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [];
  return [...query, ...fields.filter((name) => !(route.fields ?? []).includes(name)).map((name) => `body field '${name}'`)];
}
