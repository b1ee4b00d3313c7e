import type { Finding } from '../lib/findings.ts';
import { headerState } from './header.ts';
import { isSyncedPath } from './plan.ts';
import type { FileWrite } from './plan-types.ts';
import type { GeneratedTree } from './read-tree.ts';

/** What it takes to bring the generated trees on disk to the plan. */
export interface TreeChanges {
  create: FileWrite[];
  update: FileWrite[];
  remove: string[];
  unchanged: number;
  /** Generated files whose content was edited by hand: overwritten or removed only with --force. */
  edited: { path: string; action: 'update' | 'remove'; write?: FileWrite }[];
  /** Hand-written files where the generator must write: never touched. */
  blocked: string[];
  /** Hand-written files the plan does not name, in a folder Argo CD syncs: it would apply them, so they are refused. */
  foreign: string[];
  /** Links and special files in the generated trees: never written through. */
  irregular: string[];
  /** Temporary files an interrupted run left in the trees: removed. */
  leftovers: string[];
  /** Generated files that differ from the plan only in CRLF line endings (a checkout with core.autocrlf). */
  crlf: string[];
}

/** Compares the plan with the files found in the generated trees. Pure. */
export function compareTree(planned: FileWrite[], existing: GeneratedTree): TreeChanges {
  const changes: TreeChanges = {
    create: [],
    update: [],
    remove: [],
    unchanged: 0,
    edited: [],
    blocked: [],
    foreign: [],
    irregular: [...(existing.irregular ?? [])],
    leftovers: [...(existing.leftovers ?? [])],
    crlf: [],
  };
  const plannedPaths = new Set<string>();
  for (const write of planned) {
    plannedPaths.add(write.path);
    const current = existing.get(write.path);
    if (current === undefined) changes.create.push(write);
    else if (current === write.content) changes.unchanged++;
    else {
      const state = headerState(current);
      if (state === 'hand-written') changes.blocked.push(write.path);
      else if (state === 'edited') changes.edited.push({ path: write.path, action: 'update', write });
      else {
        if (current.replaceAll('\r\n', '\n') === write.content) changes.crlf.push(write.path);
        changes.update.push(write);
      }
    }
  }
  for (const [path, content] of existing) {
    if (plannedPaths.has(path)) continue;
    const state = headerState(content);
    if (state === 'generated') changes.remove.push(path);
    else if (state === 'edited') changes.edited.push({ path, action: 'remove' });
    else if (isSyncedPath(path)) changes.foreign.push(path);
  }
  changes.remove.sort();
  changes.foreign.sort();
  return changes;
}

export const isClean = (c: TreeChanges) =>
  !c.create.length &&
  !c.update.length &&
  !c.remove.length &&
  !c.edited.length &&
  !c.blocked.length &&
  !c.foreign.length &&
  !c.irregular.length &&
  !c.leftovers.length;

/** Findings that stop `generate` before it writes anything. */
export function refusals(changes: TreeChanges, force: boolean): Finding[] {
  const blocked = changes.blocked.map((path) => ({
    file: path,
    message: 'a hand-written file (no generated header) is where the generator writes',
    hint: 'move or delete it; the generator never overwrites files it did not write',
  }));
  const foreign = changes.foreign.map((path) => ({
    file: path,
    message: `a file the generator did not write (no generated header) is in a folder Argo CD syncs: ${syncedBy(path)}`,
    hint: 'remove it (git rm); to change what Argo CD applies, change clusters/, overlays/<env>/ or base/ and run `npm run generate` (apps/<cluster>/ and overlays/<env>/<cluster>/ hold generated files only)',
  }));
  const edited = force
    ? []
    : changes.edited.map(({ path, action }) => ({
        file: path,
        message: `generated file was edited by hand (its checksum no longer matches); generate would ${action === 'update' ? 'overwrite' : 'delete'} it`,
        hint: 'put the change in clusters/, overlays/ or base/ instead, then run `npm run generate -- --force` to discard the hand edit',
      }));
  const irregular = changes.irregular.map((path) => ({
    file: path,
    message: 'a symbolic link or special file is in the generated tree; the generator never writes through it',
    hint: 'remove the link (rm, not rm -r) and run generate again: the generated tree holds regular files only, inside this repository',
  }));
  return [...irregular, ...blocked, ...foreign, ...edited];
}

/** Who would apply a file in a synced folder, for the finding's message. */
function syncedBy(path: string): string {
  const [top, name, sub] = path.split('/');
  if (top === 'overlays') return `the Application of leaf ${path.split('/').slice(0, 4).join('/')}/ renders that folder`;
  if (sub === undefined) return `the fleet root applies ${path} (bootstrap applies it once, then it syncs itself)`;
  if (sub === 'children') return `the root Application of cluster '${name}' applies every file in apps/${name}/children/`;
  return `apps/${name}/ holds the cluster's root Application, which the fleet root applies`;
}

/** `generate --check` findings: every file that differs from what generate would write. */
export function staleFindings(changes: TreeChanges): Finding[] {
  const hint = 'run `npm run generate` and commit the result';
  return [
    ...changes.create.map((w) => ({ file: w.path, message: 'missing: generate would create it', hint })),
    ...changes.update.map((w) =>
      changes.crlf.includes(w.path)
        ? {
            file: w.path,
            message: 'stale: CRLF line endings (generated files use LF); generate would rewrite it',
            hint: 'add `* text=auto eol=lf` to .gitattributes (or set core.autocrlf=false), then run `npm run generate`',
          }
        : { file: w.path, message: 'stale: generate would rewrite it', hint },
    ),
    ...changes.leftovers.map((path) => ({
      file: path,
      message: 'leftover temporary file of an interrupted generate run',
      hint: 'run `npm run generate`: it removes it',
    })),
    ...changes.remove.map((path) => ({ file: path, message: 'stale: generate would delete it (its source is gone)', hint })),
    ...refusals(changes, false),
  ];
}
