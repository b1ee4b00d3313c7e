import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The import rules of scripts/ that a file-level cycle check cannot see: no cycle between capability
 * folders, lib/ imports nothing above it, and nothing under scripts/ imports test/. Exit 1 with every
 * offending import.
 */
const root = resolve(new URL('../..', import.meta.url).pathname);
const scripts = join(root, 'scripts');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Relative imports of a file, resolved to absolute paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => resolve(dirname(file), m[1]!));
}

/** The capability folder of a path under scripts/ (`validate/checks/x.ts` belongs to `validate`). */
const folderOf = (path: string) => relative(scripts, path).split(sep)[0]!;

const problems: string[] = [];
const edges = new Map<string, Map<string, string>>();
for (const file of files(scripts)) {
  const from = folderOf(file);
  for (const target of importsOf(file)) {
    const where = `${relative(root, file)} imports ${relative(root, target)}`;
    if (!target.startsWith(scripts + sep)) {
      problems.push(`${where}: scripts/ never imports outside scripts/ (test code stays under test/)`);
      continue;
    }
    const to = folderOf(target);
    if (from === 'lib' && to !== 'lib') problems.push(`${where}: lib/ imports nothing above it`);
    if (to !== from && !edges.get(from)?.has(to)) edges.set(from, (edges.get(from) ?? new Map()).set(to, where));
  }
}

/** Every cycle in the folder graph, each once (found from its smallest folder name). */
function cycles(): string[][] {
  const found: string[][] = [];
  const walk = (start: string, at: string, path: string[]) => {
    for (const next of edges.get(at)?.keys() ?? []) {
      if (next === start) found.push([...path, start]);
      else if (next > start && !path.includes(next)) walk(start, next, [...path, next]);
    }
  };
  for (const start of [...edges.keys()].sort()) walk(start, start, [start]);
  return found;
}

for (const cycle of cycles()) {
  const steps = cycle.slice(1).map((to, i) => `  ${edges.get(cycle[i]!)!.get(to)}`);
  problems.push(`folder cycle ${cycle.join(' → ')}:\n${steps.join('\n')}`);
}

if (problems.length) {
  for (const p of problems) console.error(p);
  console.error(
    `layers: ${problems.length} problem${problems.length === 1 ? '' : 's'}; move the shared code down (lib/ or the lower folder) so imports point one way`,
  );
  process.exit(1);
}
console.log(
  `layers: ${edges.size} folders, ${[...edges.values()].reduce((n, m) => n + m.size, 0)} folder-to-folder imports, no cycle; lib/ stands alone; scripts/ never imports test/`,
);
