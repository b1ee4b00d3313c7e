/** The stand-in's in-memory state: what GitHub would store for the repository. Tests may read it. */

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
  description: string;
}

/** An issue; pull requests are issues too (one number sequence, labels and comments via /issues). */
export interface IssueRecord {
  number: number;
  id: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'not_planned' | 'duplicate' | 'reopened' | null;
  /** Label names, in the order they were added. */
  labels: string[];
  assignees: string[];
  /** Login of the user who opened it (the authenticated actor). */
  author: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface PullRecord extends IssueRecord {
  /** Branch names in the served repository. */
  head: string;
  base: string;
  /** Last tips seen; the rendered object reads the branches again (GitHub follows pushes). */
  headSha: string;
  baseSha: string;
  draft: boolean;
  maintainerCanModify: boolean;
  requestedReviewers: string[];
  requestedTeams: string[];
}

export interface CommentRecord {
  id: number;
  issueNumber: number;
  body: string;
  author: string;
  createdAt: string;
  updatedAt: string;
}

/** One commit status, as POST statuses/{sha} created it; a later one of the same context supersedes it. */
export interface StatusRecord {
  id: number;
  /** Full SHA of the commit. */
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  /** As sent; GitHub matches contexts case-insensitively. */
  context: string;
  description: string | null;
  targetUrl: string | null;
  /** Login of the authenticated actor. */
  creator: string;
  createdAt: string;
  updatedAt: string;
}

export function isPull(issue: IssueRecord): issue is PullRecord {
  return 'head' in issue;
}

/** All records of one repository, with GitHub's numbering: issues and pull requests share `number`. */
export class RepositoryState {
  readonly issues = new Map<number, IssueRecord>();
  readonly pulls = new Map<number, PullRecord>();
  readonly comments = new Map<number, CommentRecord>();
  /** Commit statuses by full SHA, oldest first. */
  readonly statuses = new Map<string, StatusRecord[]>();
  /** Repository labels by lower-cased name (GitHub matches label names case-insensitively). */
  readonly labels = new Map<string, LabelRecord>();
  private lastNumber = 0;
  private lastId = 1000;

  nextNumber(): number {
    return ++this.lastNumber;
  }

  nextId(): number {
    return ++this.lastId;
  }

  addIssue(issue: IssueRecord): void {
    this.issues.set(issue.number, issue);
    if (isPull(issue)) this.pulls.set(issue.number, issue);
  }

  /** The repository label called `name`, created (grey, no description) when it does not exist, as GitHub does. */
  label(name: string): LabelRecord {
    const key = name.toLowerCase();
    let label = this.labels.get(key);
    if (!label) {
      label = { id: this.nextId(), name, color: 'ededed', description: '' };
      this.labels.set(key, label);
    }
    return label;
  }

  addStatus(status: StatusRecord): void {
    const list = this.statuses.get(status.sha) ?? [];
    list.push(status);
    this.statuses.set(status.sha, list);
  }

  /** The newest status of each context on `sha` (contexts compared case-insensitively), in the order the contexts first appeared. */
  latestStatuses(sha: string): StatusRecord[] {
    const latest = new Map<string, StatusRecord>();
    for (const status of this.statuses.get(sha) ?? []) latest.set(status.context.toLowerCase(), status);
    return [...latest.values()];
  }

  commentsOf(issueNumber: number): CommentRecord[] {
    return [...this.comments.values()].filter((c) => c.issueNumber === issueNumber);
  }
}
