import type { FileWrite } from '../generate/plan-types.ts';
import type { Inventory } from '../inventory/types.ts';
import type { KnownFiles } from '../inventory/parse-memo.ts';
import type { WorktreeProbe } from '../lib/worktree-files.ts';
import type { Finding } from '../lib/findings.ts';
import type { RenderedLeaf } from '../render/render.ts';
import type { ToolName } from '../tools/pins.ts';

/** Everything the checks read: the inventory, the generated plan, the renders, the tools. */
export interface ValidateContext {
  root: string;
  inventory: Inventory;
  plan: FileWrite[];
  /** The leaves of the selected clusters, rendered. */
  rendered: RenderedLeaf[];
  tools: Record<ToolName, string>;
  /** A scratch folder for files the tools read; removed after the run. */
  workDir: string;
  /** Hand-written files of the repository (path → text) that checks scan. */
  sources: Map<string, string>;
  /** What earlier runs learned about the hand-written files (the checkout's memo). */
  known?: KnownFiles;
  /** Whether what earlier runs found may be reused (off under --no-cache and for checks that read a live API server). */
  reuseResults?: boolean;
  /** A kubeconfig whose API server's /openapi/v2 replaces the pinned schema catalog. */
  schemasFromCluster?: string;
  /** With --changed-since: the paths changed since that commit (working tree included); what did not change is not looked at again. */
  changedPaths?: string[];
  /** What git says changed or new in the generated trees, asked while the inventory was parsed (a run over the whole fleet). */
  generatedProbe?: Promise<WorktreeProbe | undefined>;
}

/** One named check; `scope` says whether it reports per cluster/app or for the whole repository. */
export interface Check {
  name: string;
  title: string;
  scope: 'leaf' | 'repository';
  /** Reads a live API server: its results are never cached. */
  live?: boolean;
  /** Says a finding in a shared layer once for every cluster: merged results are deduplicated likewise. */
  sharedAcrossClusters?: boolean;
  run(ctx: ValidateContext): Promise<Finding[]>;
}
