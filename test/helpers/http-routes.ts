import type { Server } from 'node:http';

/** The path parameters of `pathname` under a route template such as `/repos/{owner}/{repo}/pulls`, or undefined. */
export function matchTemplate(template: string, pathname: string): Record<string, string> | undefined {
  const [t, parts] = [template.split('/'), pathname.split('/')];
  if (t.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  const fits = t.every((segment, i) => {
    const part = decodeURIComponent(parts[i] ?? '');
    if (segment.startsWith('{')) params[segment.slice(1, -1)] = part;
    return segment.startsWith('{') ? part !== '' : segment === part;
  });
  return fits ? params : undefined;
}

/** Closes a stand-in server now, keep-alive connections included. */
export function stopServer(server: Server): Promise<void> {
  return new Promise((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });
}
