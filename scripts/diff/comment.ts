import type { GitHubClient, GitHubTarget } from '../lib/github.ts';
import { DIFF_MARKER } from './format.ts';

/** Creates the one diff comment of a pull request, or updates it in place (found by its hidden marker). */
export async function upsertStickyComment(
  gh: GitHubClient,
  target: GitHubTarget,
  pullNumber: number,
  body: string,
): Promise<{ id: number; action: 'created' | 'updated' | 'unchanged' }> {
  const comments = await gh.paginate(gh.rest.issues.listComments, { ...target, issue_number: pullNumber, per_page: 100 });
  const mine = comments.find((c) => c.body?.includes(DIFF_MARKER));
  if (!mine) return { id: (await gh.rest.issues.createComment({ ...target, issue_number: pullNumber, body })).data.id, action: 'created' };
  if (mine.body === body) return { id: mine.id, action: 'unchanged' };
  await gh.rest.issues.updateComment({ ...target, comment_id: mine.id, body });
  return { id: mine.id, action: 'updated' };
}

/** The pull request number of a pull_request workflow run (GITHUB_EVENT_PATH), if any. */
export async function pullNumberFromEvent(eventPath = process.env.GITHUB_EVENT_PATH): Promise<number | undefined> {
  if (!eventPath) return undefined;
  const { readFile } = await import('node:fs/promises');
  const event = JSON.parse(await readFile(eventPath, 'utf8')) as { pull_request?: { number?: number }; number?: number };
  return event.pull_request?.number ?? event.number;
}
