import { join } from 'node:path';
import { parseInventory } from '../../scripts/inventory/parse.ts';
import { readInventorySources } from '../../scripts/inventory/read.ts';
import type { InventorySources } from '../../scripts/inventory/types.ts';
import type { Inventory } from '../../scripts/inventory/types.ts';
import { FIXTURES } from './repo.ts';

export const MINIMAL = join(FIXTURES, 'minimal');

/** The minimal fixture's sources with some files replaced (text), edited (function) or removed (null). */
export async function minimalSources(changes: Record<string, string | null | ((text: string) => string)> = {}): Promise<InventorySources> {
  const sources = await readInventorySources(MINIMAL);
  for (const [path, change] of Object.entries(changes)) {
    if (change === null) sources.delete(path);
    else if (typeof change === 'function') sources.set(path, change(sources.get(path) ?? ''));
    else sources.set(path, change);
  }
  return sources;
}

export async function minimalInventory(): Promise<Inventory> {
  const { inventory, findings } = parseInventory(await minimalSources());
  if (!inventory) throw new Error(`fixture has findings: ${JSON.stringify(findings)}`);
  return inventory;
}
