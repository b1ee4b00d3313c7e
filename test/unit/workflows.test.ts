import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../helpers/repo.ts';
import { workflowProblems } from '../helpers/workflow-invariants.ts';

const dir = join(PROJECT_ROOT, '.github/workflows');
const workflows = new Map(
  readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
);

/** The repository's workflows with `file` replaced by `edit` of it (the edit must change something). */
function edited(file: string, edit: (text: string) => string): Map<string, string> {
  const before = workflows.get(file)!;
  const after = edit(before);
  assert.notEqual(after, before, `the edit of ${file} changed nothing`);
  return new Map([...workflows, [file, after]]);
}

test("the repository's workflows keep every invariant", () => {
  assert.ok(workflows.size >= 6, [...workflows.keys()].join(', '));
  assert.deepEqual(workflowProblems(workflows), []);
});

test('each invariant bites: always(), a checkout keeping its token, a combined or main-less cache, npm ci with scripts', () => {
  const cases: [string, (t: string) => string, RegExp][] = [
    ['validate.yml', (t) => t.replace('    if: ${{ !cancelled() }}\n    runs-on', '    if: always()\n    runs-on'), /job report: always\(\)/],
    [
      'drift.yml',
      (t) => t.replace('if: ${{ !cancelled() }}', 'if: always()'),
      /drift\.yml job drift step 'actions\/upload-artifact.*always\(\) runs in a cancelled run/,
    ],
    ['drift.yml', (t) => t.replace(/\n {10}persist-credentials: false/, ''), /drift\.yml job drift step 'actions\/checkout.*persist-credentials: false/],
    ['fire-drill.yml', (t) => t.replace('actions/cache/restore@', 'actions/cache@'), /fire-drill\.yml .*use actions\/cache\/restore and actions\/cache\/save/],
    [
      'validate.yml',
      (t) => t.replace("if: github.ref == 'refs/heads/main'\n        uses: actions/cache/save", 'uses: actions/cache/save'),
      /validate\.yml job validate step 'Save this shard's check results \(runs on main only\)': a rolling cache is saved from main only/,
    ],
    [
      'promote.yml',
      (t) => t.replace("if: github.ref == 'refs/heads/main'", "if: github.ref != 'refs/heads/main'"),
      /promote\.yml .*a rolling cache is saved from main only/,
    ],
    ['regenerate.yml', (t) => t.replace('npm ci --ignore-scripts', 'npm ci'), /regenerate\.yml .*npm ci --ignore-scripts/],
  ];
  for (const [file, edit, expected] of cases) assert.match(workflowProblems(edited(file, edit)).join('\n'), expected);
});

test('each invariant bites: the tools cache saved or restored elsewhere, a fork-blind comment, an over-broad App token', () => {
  const cases: [string, (t: string) => string, RegExp][] = [
    [
      'drift.yml',
      (t) =>
        t.replace(
          'key: ${{ needs.tools.outputs.key }}',
          'key: tools-${{ runner.os }}-x\n      - uses: actions/cache/save@x\n        with:\n          key: tools-x',
        ),
      /drift\.yml .*the pinned tools are saved by tools\.yml alone/,
    ],
    [
      'promote.yml',
      (t) => t.replace('    needs: tools\n', ''),
      /promote\.yml .*restore the tools job's key with actions\/cache\/restore in a job that needs: tools/,
    ],
    [
      'validate.yml',
      (t) =>
        t.replace('path: ~/.cache/monitoring-gitops/tools\n          key: ${{ needs.tools', 'path: ~/.cache/monitoring-gitops\n          key: ${{ needs.tools'),
      /path ~\/\.cache\/monitoring-gitops differs from tools\.yml's/,
    ],
    [
      'validate.yml',
      (t) => t.replace(' && github.event.pull_request.head.repo.full_name == github.repository }}\n        env:', ' }}\n        env:'),
      /sticky comment.*guard the comment/,
    ],
    [
      'regenerate.yml',
      (t) => t.replace('client-id: ${{ vars.PROMOTION_APP_CLIENT_ID }}', 'app-id: ${{ vars.PROMOTION_APP_ID }}'),
      /regenerate\.yml .*client-id, not the deprecated app-id/,
    ],
    [
      'regenerate.yml',
      (t) => t.replace(/\n {10}permission-contents: write/, ''),
      /the App token asks for every permission of the installation; the job grants contents/,
    ],
    [
      'promote.yml',
      (t) => t.replace('permission-statuses: write', 'permission-workflows: write'),
      /asks for contents, issues, pull-requests, workflows; the job grants contents, issues, pull-requests, statuses/,
    ],
  ];
  for (const [file, edit, expected] of cases) assert.match(workflowProblems(edited(file, edit)).join('\n'), expected);
});
