import { accessSync, constants, lstatSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EnvironmentError, UsageError } from './errors.ts';

type Kind = 'folder' | 'file' | 'missing';

/** What is at `path` (links followed); a path through a file (ENOTDIR) is missing. */
function kindOf(path: string): Kind {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'file';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    throw err;
  }
}

/** What is at `path` itself (a link is not followed); undefined when nothing is or it cannot be looked at. */
export function lstatOrUndefined(path: string) {
  try {
    // A missing path answers undefined without an exception: 20,000 new folders are looked at for a new fleet.
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** `--root DIR` (default: the current folder), resolved; anything but an existing folder is exit 2 naming it. */
export function rootOption(value: string | undefined, flag = '--root'): string {
  const path = resolve(value ?? '.');
  const kind = kindOf(path);
  if (kind === 'folder') return path;
  throw new UsageError(
    `${flag} ${value ?? '.'}: ${kind === 'missing' ? 'no such folder' : 'is a file, not a folder'} (${path})\nfix: give the checkout's folder, for example ${flag} ../fleet`,
  );
}

/** The folder an output goes into must exist and be writable: checked before any work, so a refusal writes nothing. */
function checkOutputFolder(flag: string, value: string, folder: string): void {
  const kind = kindOf(folder);
  if (kind !== 'folder')
    throw new UsageError(
      kind === 'missing'
        ? `${flag} ${value}: the folder ${folder} does not exist\nfix: create it first (mkdir -p ${folder}) or choose a path in an existing folder`
        : `${flag} ${value}: ${folder} is a file, not a folder\nfix: choose a path in an existing folder`,
    );
  try {
    accessSync(folder, constants.W_OK);
  } catch (err) {
    throw new EnvironmentError(`${flag} ${value}: cannot write into ${folder} (${(err as NodeJS.ErrnoException).code})\nfix: choose a writable folder`, {
      cause: err,
    });
  }
}

/** An output file option (`--junit FILE`, `--out FILE`, `--plan-out FILE`), resolved and checked before any work. */
export function outputFileOption(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const path = resolve(value);
  if (kindOf(path) === 'folder')
    throw new UsageError(`${flag} ${value}: is a folder (${path})\nfix: name a file in it, for example ${flag} ${join(value, 'report')}`);
  checkOutputFolder(flag, value, dirname(path));
  return path;
}

/** An output folder option (`--out DIR`): created by the command if missing, inside a folder that exists. */
export function outputFolderOption(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const path = resolve(value);
  const kind = kindOf(path);
  if (kind === 'file') throw new UsageError(`${flag} ${value}: is a file, not a folder (${path})\nfix: name a folder (it is created if missing)`);
  checkOutputFolder(flag, value, kind === 'folder' ? path : dirname(path));
  return path;
}
