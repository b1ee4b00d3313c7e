import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../../lib/findings.ts';
import { run } from '../../lib/exec.ts';
import { compareIncrementally } from '../../generate/incremental.ts';
import { NO_PLAN_MEMO, readPlanMemo } from '../../generate/plan-memo.ts';
import { GENERATED_PATHSPECS, readGeneratedIndex, readScopedTree } from '../../generate/read-tree.ts';
import { probeWorktree } from '../../lib/worktree-files.ts';
import { generatedAsBefore } from '../generated-as-before.ts';
import { isClean, staleFindings } from '../../generate/tree.ts';
import { NOTHING_KNOWN, scanSecrets } from '../../inventory/parse-memo.ts';
import { FEW_CLUSTERS, generatedScope } from '../changed.ts';
import type { Check } from '../types.ts';

/** The committed generated files must be exactly what generate produces now. */
export const generatedCheck: Check = {
  name: 'generated',
  title: 'Generated files are committed and up to date',
  scope: 'repository',
  async run(ctx) {
    // After --changed-since, the clusters the change reaches: their folders are read, not every generated file.
    const scope = ctx.changedPaths && generatedScope(ctx.changedPaths, ctx.inventory, folderNames(join(ctx.root, 'overlays')));
    const probe = scope ? undefined : { found: await (ctx.generatedProbe ?? probeWorktree(ctx.root, GENERATED_PATHSPECS)) };
    const asBefore = generatedAsBefore(ctx.root, probe?.found, ctx.sources);
    if (asBefore.known) return [];
    // A scoped run plans the few clusters the change reaches: reading (and rewriting) every cluster's memo entry would cost more.
    const memo = scope && scope.clusters.size <= FEW_CLUSTERS ? NO_PLAN_MEMO : readPlanMemo(ctx.root);
    const index = await (scope ? readScopedTree(ctx.root, scope) : readGeneratedIndex(ctx.root, GENERATED_PATHSPECS, probe));
    const { changes } = await compareIncrementally(ctx.inventory, index, memo, { only: scope?.clusters });
    // A scoped run looked at some clusters only: the others' entries stay for the next whole run.
    memo.save({ keepUnused: scope !== undefined });
    if (!isClean(changes)) return staleFindings(changes).map((f) => ({ ...f, check: 'generated' }));
    if (index.fromIndex) asBefore.remember();
    return [];
  },
};

/** The folders in `dir`, none when it is missing. */
function folderNames(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** No credentials in hand-written files. */
export const secretsCheck: Check = {
  name: 'secrets',
  title: 'No plaintext secrets in hand-written files',
  scope: 'repository',
  async run(ctx) {
    return scanSecrets(ctx.sources, ctx.known ?? NOTHING_KNOWN);
  },
};

interface ActionlintError {
  message: string;
  filepath: string;
  line: number;
  column: number;
  kind: string;
}

/** actionlint over .github/workflows. */
export const actionlintCheck: Check = {
  name: 'actionlint',
  title: 'GitHub workflows (actionlint)',
  scope: 'repository',
  async run(ctx) {
    const workflows = [...ctx.sources.keys()].filter((p) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(p));
    if (!workflows.length) return [];
    const result = await run(ctx.tools.actionlint, ['-format', '{{json .}}', '-no-color', ...workflows.map((w) => join(ctx.root, w))], { cwd: ctx.root });
    if (result.exitCode === 0) return [];
    let errors: ActionlintError[];
    try {
      errors = JSON.parse(result.stdout) as ActionlintError[];
    } catch {
      return [{ check: 'actionlint', file: '.github/workflows/', message: `actionlint failed: ${result.stderr.trim() || result.stdout.trim()}` }];
    }
    return errors.map(
      (e): Finding => ({
        check: 'actionlint',
        file: e.filepath.replace(`${ctx.root}/`, ''),
        line: e.line,
        column: e.column,
        message: `${e.message} [${e.kind}]`,
        hint: 'fix the workflow; actionlint explains the rule at https://github.com/rhysd/actionlint/blob/main/docs/checks.md',
      }),
    );
  },
};
