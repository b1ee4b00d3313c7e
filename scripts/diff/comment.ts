import type { GitHubClient, GitHubTarget } from '../lib/github.ts';
import { DIFF_MARKER } from './format.ts';

/** Who a workflow's GITHUB_TOKEN comments as; an App installation token comments as `<app-slug>[bot]`. */
export const ACTIONS_BOT_LOGIN = 'github-actions[bot]';

export interface StickyCommentOutcome {
  id: number;
  action: 'created' | 'updated' | 'unchanged';
  /** The login GitHub shows as the comment's author: a created one differing from `author` means the next run cannot find it. */
  author: string | undefined;
}

/**
 * Creates the one diff comment of a pull request, or updates it in place: the comment with the hidden marker
 * that `author` wrote. Anyone can paste the marker into a comment; one written by someone else is never edited,
 * or the bot's words would appear under their name and they could change them afterwards.
 */
export async function upsertStickyComment(
  gh: GitHubClient,
  target: GitHubTarget,
  pullNumber: number,
  body: string,
  author = ACTIONS_BOT_LOGIN,
): Promise<StickyCommentOutcome> {
  const comments = await gh.paginate(gh.rest.issues.listComments, { ...target, issue_number: pullNumber, per_page: 100 });
  // GitHub logins are case-insensitive.
  const mine = comments.find((c) => c.body?.includes(DIFF_MARKER) && c.user?.login.toLowerCase() === author.toLowerCase());
  if (!mine) {
    const created = (await gh.rest.issues.createComment({ ...target, issue_number: pullNumber, body })).data;
    return { id: created.id, action: 'created', author: created.user?.login };
  }
  if (mine.body === body) return { id: mine.id, action: 'unchanged', author: mine.user?.login };
  await gh.rest.issues.updateComment({ ...target, comment_id: mine.id, body });
  return { id: mine.id, action: 'updated', author: mine.user?.login };
}

/** The pull request number of a pull_request workflow run (GITHUB_EVENT_PATH), if any. */
export async function pullNumberFromEvent(eventPath = process.env.GITHUB_EVENT_PATH): Promise<number | undefined> {
  if (!eventPath) return undefined;
  const { readFile } = await import('node:fs/promises');
  const event = JSON.parse(await readFile(eventPath, 'utf8')) as { pull_request?: { number?: number }; number?: number };
  return event.pull_request?.number ?? event.number;
}
