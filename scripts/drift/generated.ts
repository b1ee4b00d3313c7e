import { parseAllDocuments } from 'yaml';
import { readGeneratedTree } from '../generate/apply.ts';
import { planGenerate } from '../generate/plan.ts';
import { compareTree } from '../generate/tree.ts';
import type { Inventory } from '../inventory/types.ts';
import { diffValues, formatValueChange } from '../diff/values.ts';
import type { DriftItem, DriftSection } from './types.ts';

/** Field-level differences between two YAML files (documents compared in order). */
function yamlDiffLines(committed: string, generated: string): string[] {
  const docs = (text: string) => parseAllDocuments(text).map((d) => (d.toJS() ?? {}) as Record<string, unknown>);
  const [a, b] = [docs(committed), docs(generated)];
  return Array.from({ length: Math.max(a.length, b.length) }, (_, i) =>
    diffValues(b[i] ?? {}, a[i] ?? {}).map((c) => `${formatValueChange(c)}  (generated → committed)`),
  )
    .flat()
    .slice(0, 30);
}

const item = (kind: string, path: string, summary: string, severity: DriftItem['severity'], details?: string[]): DriftItem => ({
  section: 'generated',
  key: `generated:${path}:${kind}`,
  kind,
  severity,
  summary,
  ...(details?.length ? { details } : {}),
  action:
    kind === 'hand-edited'
      ? 'move the edit into clusters/, overlays/ or base/, then run `npm run generate -- --force`'
      : kind === 'foreign'
        ? 'remove it; to change what Argo CD applies, change clusters/, overlays/ or base/ and run `npm run generate`'
        : 'run `npm run generate` and commit the result',
});

/** Generated vs committed: every generated file that differs from what `generate` produces now. */
export async function generatedSection(root: string, inventory: Inventory): Promise<DriftSection> {
  const existing = await readGeneratedTree(root);
  const changes = compareTree(planGenerate(inventory), existing);
  const items: DriftItem[] = [
    ...changes.edited.map((e) =>
      item('hand-edited', e.path, `${e.path} was edited by hand`, 'critical', e.write ? yamlDiffLines(existing.get(e.path)!, e.write.content) : undefined),
    ),
    ...changes.update.map((w) =>
      item('stale', w.path, `${w.path} is stale (regeneration forgotten)`, 'warning', yamlDiffLines(existing.get(w.path)!, w.content)),
    ),
    ...changes.create.map((w) => item('missing', w.path, `${w.path} is missing`, 'warning')),
    ...changes.remove.map((p) => item('orphaned', p, `${p} is left over (its source is gone)`, 'warning')),
    ...changes.blocked.map((p) => item('hand-written', p, `${p} is a hand-written file where a generated one belongs`, 'critical')),
    ...changes.foreign.map((p) => item('foreign', p, `${p} is a file the generator did not write, in a folder Argo CD syncs`, 'critical')),
  ];
  return { section: 'generated', status: 'checked', items };
}
