import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import { stopServer } from './http-routes.ts';

/** One release a stand-in registry lists: its version and how many days before `now` it was published. */
export interface StandInRelease {
  version: string;
  ageDays: number;
}

/** Package name → its releases, for each kind of registry the stand-in speaks. */
export interface StandInPackages {
  /** Helm charts, served as one repository's index.yaml (`created` is the release time). */
  charts?: Record<string, StandInRelease[]>;
  /** npm packages, served as packuments (`time` holds the release times, `dist-tags.latest` the newest). */
  npm?: Record<string, StandInRelease[]>;
  /** Go modules, served with the module proxy protocol (`@v/list`, `@v/<version>.info`, `@latest`). */
  go?: Record<string, StandInRelease[]>;
}

/** A Helm repository, an npm registry and a Go module proxy in one HTTP server on 127.0.0.1. */
export interface RegistryStandIn {
  /** Helm repository base URL (index.yaml below it). */
  helmUrl: string;
  /** npm registry URL, with a trailing slash. */
  npmUrl: string;
  /** GOPROXY value. */
  goProxyUrl: string;
  /** Every request path served or refused, in order: shows that a client asked here and not elsewhere. */
  requests: string[];
  stop(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Starts the stand-in; release times are `now` minus each release's age. */
export async function startRegistryStandIn(packages: StandInPackages, now = new Date()): Promise<RegistryStandIn> {
  const time = (r: StandInRelease) => new Date(now.getTime() - r.ageDays * DAY_MS).toISOString();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = respond(packages, time, req);
    if (body === undefined) res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    else res.writeHead(200, { 'Content-Type': body.type }).end(body.text);
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { helmUrl: `${url}/helm`, npmUrl: `${url}/npm/`, goProxyUrl: `${url}/go`, requests, stop: () => stopServer(server) };
}

type Body = { type: string; text: string } | undefined;
type Clock = (r: StandInRelease) => string;

function respond(packages: StandInPackages, time: Clock, req: IncomingMessage): Body {
  if (req.method !== 'GET') return undefined;
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  if (path === '/helm/index.yaml') return { type: 'application/x-yaml', text: helmIndex(packages.charts ?? {}, time) };
  if (path.startsWith('/npm/')) return packument(packages.npm ?? {}, path.slice('/npm/'.length), time);
  if (path.startsWith('/go/')) return goProxy(packages.go ?? {}, path.slice('/go/'.length), time);
  return undefined;
}

function helmIndex(charts: Record<string, StandInRelease[]>, time: Clock): string {
  const entries = Object.fromEntries(
    Object.entries(charts).map(([name, releases]) => [
      name,
      releases.map((r) => ({ apiVersion: 'v2', name, version: r.version, created: time(r), urls: [`${name}-${r.version}.tgz`] })),
    ]),
  );
  return stringify({ apiVersion: 'v1', entries, generated: new Date().toISOString() });
}

function packument(npm: Record<string, StandInRelease[]>, name: string, time: Clock): Body {
  const releases = npm[name];
  if (!releases) return undefined;
  const latest = releases.at(-1)!.version;
  const doc = {
    name,
    'dist-tags': { latest },
    versions: Object.fromEntries(releases.map((r) => [r.version, { name, version: r.version }])),
    time: Object.fromEntries(releases.map((r) => [r.version, time(r)])),
  };
  return { type: 'application/json', text: JSON.stringify(doc) };
}

/** `<module>/@v/list`, `<module>/@v/<version>.info` and `<module>/@latest` (module paths are lower-case here). */
function goProxy(go: Record<string, StandInRelease[]>, rest: string, time: Clock): Body {
  const match = /^(?<module>.+?)\/(?:@v\/(?<file>list|[^/]+\.info)|@latest)$/.exec(rest);
  const releases = match?.groups && go[match.groups.module!];
  if (!match?.groups || !releases) return undefined;
  const info = (r: StandInRelease) => ({ type: 'application/json', text: JSON.stringify({ Version: r.version, Time: time(r) }) });
  const { file } = match.groups;
  if (file === 'list') return { type: 'text/plain', text: releases.map((r) => `${r.version}\n`).join('') };
  if (file === undefined) return info(releases.at(-1)!);
  const release = releases.find((r) => `${r.version}.info` === file);
  return release && info(release);
}
