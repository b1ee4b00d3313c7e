/** The four kinds of drift the report covers, each usable alone. */
type DriftSectionName = 'generated' | 'environments' | 'upstream' | 'live';

/** One thing that differs from what it should be, in words a platform engineer can act on. */
export interface DriftItem {
  section: DriftSectionName;
  /** Stable across runs for the same drift (section + what + where), so a report can say what is new. */
  key: string;
  /** What kind of drift: hand-edited, promotion-pending, divergent, behind-upstream, deprecated-chart, missing, unexpected, out-of-sync, unhealthy, revision-behind, operation-failed, spec-drift, cluster-removed, field-drift, … */
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  environment?: string;
  cluster?: string;
  app?: string;
  /** `Kind namespace/name`, for resource-level drift. */
  resource?: string;
  /** One line. */
  summary: string;
  /** Further lines (diff lines, field before/after, manager). */
  details?: string[];
  /** Since when, when known (ISO 8601). */
  since?: string;
  /** What to run or do about it. */
  action?: string;
  /** For a pending promotion: whether its source environment's gate would pass now. */
  gate?: 'would pass' | 'would refuse' | 'not checked';
}

/** One section of the report: what it found, or why it could not look. */
export interface DriftSection {
  section: DriftSectionName;
  /** checked: looked everywhere; partial: some targets unreachable; skipped: input unavailable. */
  status: 'checked' | 'partial' | 'skipped';
  /** Why skipped or partial. */
  reason?: string;
  /**
   * What could not be checked because of an error (a repository, Argo CD, a cluster or an Alertmanager that did
   * not answer as asked), not because its input was left out: drift exits 2 when there is any.
   */
  errors?: string[];
  items: DriftItem[];
  /** For sections that reach clusters: which were reached, out of which expected. */
  coverage?: { reached: string[]; expected: string[] };
  /** Differences an ignore rule suppressed (known noise), by rule. */
  suppressed?: Record<string, number>;
}
