import type { Reply } from '../http.ts';
import type { RenderContext } from '../render.ts';

/** A request as a route handler sees it, after routing, the contract check and authentication. */
export interface RouteRequest {
  params: Record<string, string>;
  /** Absolute URL as the client addressed it (Link headers are built from it). */
  url: URL;
  body: unknown;
  ctx: RenderContext;
  /** Login of the authenticated user: author of what the request creates. */
  actor: string;
}

/** One implemented GitHub REST operation. */
export interface Route {
  method: 'GET' | 'POST' | 'PATCH';
  /** The path template exactly as in GitHub's OpenAPI description. */
  template: string;
  /** Documented query parameters the stand-in honours; any other documented one is answered as unimplemented. */
  query?: string[];
  /** Documented body fields the stand-in honours, likewise. */
  fields?: string[];
  handle(request: RouteRequest): Promise<Reply>;
}

/** Number of an issue or pull request path parameter (the contract check has made sure it is an integer). */
export function numberParam(request: RouteRequest, name: string): number {
  return Number(request.params[name]);
}

/** Sorts by `sort` ('created' | 'updated' | other: created) and `direction` (default desc), as GitHub's lists do. */
export function sortRecords<T extends { createdAt: string; updatedAt: string; number: number }>(items: T[], url: URL): T[] {
  const key = url.searchParams.get('sort') === 'updated' ? 'updatedAt' : 'createdAt';
  const sign = url.searchParams.get('direction') === 'asc' ? 1 : -1;
  return [...items].sort((a, b) => sign * (a[key].localeCompare(b[key]) || a.number - b.number));
}

export function stateFilter(url: URL): (item: { state: string }) => boolean {
  const state = url.searchParams.get('state') ?? 'open';
  return (item) => state === 'all' || item.state === state;
}
