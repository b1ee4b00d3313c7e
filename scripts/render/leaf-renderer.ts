import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { EnvironmentError } from '../lib/errors.ts';
import { startServer, tail, type ExecResult } from '../lib/exec.ts';

/** Runs `kustomize build` with these arguments; returns what the kustomize CLI returns (exit code, stdout, stderr). */
export type KustomizeBuild = (args: string[]) => Promise<ExecResult>;

/** A run's leaf-renderer processes (tools/leaf-renderer): `build` as the kustomize CLI, `stop` ends them all. */
export interface LeafRenderers {
  build: KustomizeBuild;
  stop: () => void;
}

/**
 * Starts leaf-renderer processes on demand, one per build in flight (each serves one build at a time:
 * kustomize and helm keep global state), and reuses them for the run's next builds.
 */
export function startLeafRenderers(path: string, env: Record<string, string>): LeafRenderers {
  const idle: Renderer[] = [];
  const all = new Set<Renderer>();
  let stopped = false;
  return {
    async build(args) {
      // A build that fails the run stops the renderers while the other build goes on: it must not start one.
      if (stopped) throw new Error('the leaf renderers were stopped');
      const renderer = idle.pop() ?? startRenderer(path, env, all);
      try {
        return await renderer.build(args);
      } finally {
        if (!renderer.exited) idle.push(renderer);
      }
    },
    stop() {
      stopped = true;
      for (const renderer of all) renderer.stop();
      idle.length = 0;
    },
  };
}

interface Renderer {
  build: KustomizeBuild;
  stop: () => void;
  exited: boolean;
}

interface Reply {
  stdout: string | null;
  stderr: string | null;
  exitCode: number;
}

function startRenderer(path: string, env: Record<string, string>, all: Set<Renderer>): Renderer {
  const child = startServer(path, [], env);
  let pending: { resolve: (r: ExecResult) => void; reject: (e: Error) => void } | undefined;
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  child.stdin!.on('error', () => {}); // a renderer that died: its exit is what gets reported
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const reply = JSON.parse(line) as Reply;
    const { resolve } = pending!;
    pending = undefined;
    resolve({ exitCode: reply.exitCode, stdout: decode(reply.stdout), stderr: decode(reply.stderr) });
  });
  const renderer: Renderer = {
    exited: false,
    build: (args) =>
      new Promise((resolve, reject) => {
        pending = { resolve, reject };
        child.stdin!.write(`${JSON.stringify({ args })}\n`);
      }),
    stop: () => stopRenderer(child, pending !== undefined),
  };
  // Whatever ends it (an exit, or a spawn that failed), the build in flight fails and the renderer is not reused.
  const end = (why: string, cause?: Error) => {
    renderer.exited = true;
    all.delete(renderer);
    pending?.reject(new EnvironmentError(`leaf-renderer (${path}) ${why}:\n${tail(stderr, 8)}`, { cause }));
    pending = undefined;
  };
  child.once('exit', (code, signal) => end(`stopped (${signal ?? `exit ${code}`}) during a build`));
  child.once('error', (err) => end(`cannot run: ${err.message}`, err));
  all.add(renderer);
  return renderer;
}

/** An idle renderer ends at the end of its input; one still building is not waited for. */
function stopRenderer(child: ChildProcess, busy: boolean): void {
  child.stdin!.end();
  if (busy) child.kill('SIGKILL');
}

/** Go's JSON carries bytes as base64 (null when empty): decoded as execa decodes a tool's output. */
const decode = (b64: string | null) => (b64 ? Buffer.from(b64, 'base64').toString('utf8') : '');
