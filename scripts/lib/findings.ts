/** One problem found in the repository, located as precisely as we can. */
export interface Finding {
  /** Repository-relative path of the file the problem is in. */
  file: string;
  /** 1-based line and column, when the problem has a position. */
  line?: number;
  column?: number;
  /** What is wrong. */
  message: string;
  /** How to fix it. */
  hint?: string;
  /** Which check found it (validate), which cluster and app it concerns, and the resource (Kind/name). */
  check?: string;
  cluster?: string;
  app?: string;
  resource?: string;
}

export function formatFinding(f: Finding): string {
  const scope = [f.cluster && f.app ? `${f.cluster}/${f.app}` : f.cluster, f.resource].filter(Boolean).join(' ');
  const where = (f.line ? `${f.file}:${f.line}:${f.column ?? 1}` : f.file) + (scope ? ` [${scope}]` : '');
  return f.hint ? `${where}: ${f.message}\n    fix: ${f.hint}` : `${where}: ${f.message}`;
}

/** Stable order: by file, then position, then message. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.message.localeCompare(b.message),
  );
}
