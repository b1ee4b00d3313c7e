import type { GitHubClient, GitHubTarget } from '../lib/github.ts';
import { DRIFT_MARKER } from './report.ts';

const DRIFT_LABEL = 'drift-report';

/**
 * A body without what changes on every run (the "Generated <time> at commit <sha>" line, the "new since
 * the last report" block): a new run that finds the same drift edits nothing.
 */
function comparable(body: string): string {
  const lines = body.split('\n').filter((line) => !line.startsWith('Generated '));
  const start = lines.indexOf('### New since the last report');
  const end = lines.findIndex((line, i) => i > start && line.startsWith('### '));
  return (start < 0 ? lines : [...lines.slice(0, start), ...lines.slice(end < 0 ? lines.length : end)]).join('\n');
}
const DRIFT_TITLE = 'Drift report';

interface IssueOutcome {
  number?: number;
  action: 'created' | 'updated' | 'reopened' | 'closed' | 'unchanged' | 'none';
  /** The body of the issue found, for "new since the last report". */
  previousBody?: string;
}

/** The one drift issue, open or closed, found by its label and hidden marker. */
export async function findDriftIssue(gh: GitHubClient, target: GitHubTarget) {
  const issues = await gh.paginate(gh.rest.issues.listForRepo, { ...target, labels: DRIFT_LABEL, state: 'all', per_page: 100 });
  return issues.filter((i) => !i.pull_request && i.body?.includes(DRIFT_MARKER)).sort((a, b) => b.number - a.number)[0];
}

/**
 * Renovate-style upkeep of the one drift issue: opened when drift appears, edited only when the body
 * changes, reopened when drift returns, closed when the fleet is clean.
 */
export async function upsertDriftIssue(gh: GitHubClient, target: GitHubTarget, body: string, drift: boolean): Promise<IssueOutcome> {
  const issue = await findDriftIssue(gh, target);
  if (!issue) {
    if (!drift) return { action: 'none' };
    const created = await gh.rest.issues.create({ ...target, title: DRIFT_TITLE, body, labels: [DRIFT_LABEL] });
    return { number: created.data.number, action: 'created' };
  }
  const previousBody = issue.body ?? undefined;
  if (!drift) {
    if (issue.state === 'closed') return { number: issue.number, action: 'unchanged', previousBody };
    await gh.rest.issues.update({ ...target, issue_number: issue.number, body, state: 'closed', state_reason: 'completed' });
    return { number: issue.number, action: 'closed', previousBody };
  }
  if (issue.state === 'closed') {
    await gh.rest.issues.update({ ...target, issue_number: issue.number, body, state: 'open' });
    return { number: issue.number, action: 'reopened', previousBody };
  }
  if (comparable(issue.body ?? '') === comparable(body)) return { number: issue.number, action: 'unchanged', previousBody };
  await gh.rest.issues.update({ ...target, issue_number: issue.number, body });
  return { number: issue.number, action: 'updated', previousBody };
}
